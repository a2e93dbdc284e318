"""Shared fixtures: the demo district seeded once per test session, and one user per role (the personas)."""

import datetime
import io
import os
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import User
from tests.personas import persona_day, personas  # noqa: F401 - the persona world's fixtures

# Playwright runs an event loop in the test thread; the live server's database calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_USERNAMES = [
    "bureau",
    "municipal",
    "auditor",
    "admin",
    "zhangguizhuang",
    "fengniancun",
    "org-a",
    "org-b",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the demo story (rolled back after each test)."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())


def seed_demo_once() -> None:
    """For a transactional test: the demo story, loaded again if an earlier transactional test flushed it."""
    if not User.objects.filter(username="bureau").exists():
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def demo_users(db) -> dict[str, User]:
    return {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}


@pytest.fixture
def client_as(client, demo_users):
    """A test client signed in as one of the demo accounts: client_as("org-a")."""

    def sign_in(username: str):
        client.force_login(demo_users[username])
        return client

    return sign_in


# "Today" in the demo story (demo-story.md): tests that depend on dates travel there.
STORY_DAY = datetime.datetime(2026, 11, 28, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def story_day():
    with time_machine.travel(STORY_DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploaded files go to a fresh folder per test, never into var/uploads."""
    storages = {**settings.STORAGES}
    storages["default"] = {
        **storages["default"],
        "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
    }
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.STORAGES = storages
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"
