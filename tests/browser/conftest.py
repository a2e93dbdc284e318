"""Browser tests: Playwright driving Debian's chromium against the live test server.

Playwright cannot download its own browsers here; the tests use the system chromium
(`make test` installs it where it can) and skip, saying why, only where none is found.
"""

import io
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _chromium() -> str | None:
    for candidate in ("chromium", "chromium-browser", "/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


CHROMIUM = _chromium()


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("REQUIRE_BROWSER=1 but no chromium was found: apt-get install chromium")
    skip = pytest.mark.skip(reason="no chromium found: install Debian's chromium (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


@pytest.fixture
def portal(live_server, transactional_db, story_day):
    """The live portal with the demo story loaded (a transactional test may have flushed it), on the story's
    day: the server runs in this process, so the frozen clock holds for its pages too."""
    if not User.objects.filter(username="bureau").exists():
        call_command("seed_demo", stdout=io.StringIO())
    return live_server


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def log_in(page, base_url: str, username: str, password: str = "dongli-demo-2021") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def demo_users_live(portal):
    return {u.username: u for u in User.objects.all()}
