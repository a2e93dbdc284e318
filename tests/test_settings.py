"""Settings come from environment variables and fail loudly on a bad value or an unsafe production setup."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = str(Path(__file__).resolve().parent.parent / "config" / "settings.py")
GOOD_SECRET = "k" * 20 + "-a-long-random-production-secret-0123456789"


def load(monkeypatch, **env):
    for name in (
        "DJANGO_ENV",
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "DJANGO_FIELD_KEYS",
        "DJANGO_S3_BUCKET",
        "DJANGO_S3_ENDPOINT_URL",
        "REDIS_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(SETTINGS_FILE)


def test_defaults_are_the_embedded_development_setup(monkeypatch):
    loaded = load(monkeypatch)
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert str(loaded["DATABASES"]["default"]["NAME"]).endswith("var/portal.sqlite3")
    assert loaded["DEBUG"] is True


def test_database_url_picks_postgresql(monkeypatch):
    loaded = load(monkeypatch, DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal")
    db = loaded["DATABASES"]["default"]
    assert (db["ENGINE"], db["NAME"], db["HOST"], db["CONN_HEALTH_CHECKS"]) == (
        "django.db.backends.postgresql",
        "portal",
        "127.0.0.1",
        True,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_DEBUG": "maybe"},
        {"DJANGO_ENV": "staging"},
        {"DATABASE_URL": "mysql://root@localhost/portal"},
        {"DATABASE_URL": "not a url"},
        {"DJANGO_CONN_MAX_AGE": "forever"},
    ],
)
def test_a_bad_value_raises_improperly_configured(monkeypatch, env):
    with pytest.raises(ImproperlyConfigured):
        load(monkeypatch, **env)


def test_production_refuses_debug(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        load(
            monkeypatch,
            DJANGO_ENV="production",
            DJANGO_DEBUG="1",
            DJANGO_SECRET_KEY=GOOD_SECRET,
            DJANGO_ALLOWED_HOSTS="portal.example.cn",
        )


def test_production_refuses_the_default_secret(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load(monkeypatch, DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="portal.example.cn")


def test_production_refuses_no_allowed_hosts(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        load(monkeypatch, DJANGO_ENV="production", DJANGO_SECRET_KEY=GOOD_SECRET)


FIELD_KEY = "q1Vj3tsZ6mJ9x0b3a5tJrQvF2d8rX6m1cE4l0o9uWk8="
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": GOOD_SECRET,
    "DJANGO_ALLOWED_HOSTS": "portal.example.cn",
    "DJANGO_FIELD_KEYS": FIELD_KEY,
    "DJANGO_FIELD_DIGEST_KEY": "digest-key-of-this-deployment-0123456789abcdef",
}


def test_production_refuses_no_key_for_personal_data(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_FIELD_KEYS"):
        load(monkeypatch, **{**PRODUCTION, "DJANGO_FIELD_KEYS": ""})


def test_production_refuses_no_key_for_digests(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_FIELD_DIGEST_KEY"):
        load(monkeypatch, **{**PRODUCTION, "DJANGO_FIELD_DIGEST_KEY": ""})


def test_check_deploy_passes_with_production_variables(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **{
            k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },  # set for the browser tests
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(SETTINGS_FILE).parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_with_safe_values_loads(monkeypatch):
    loaded = load(monkeypatch, **PRODUCTION)
    assert loaded["DEBUG"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True


def test_chinese_first_and_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert dict(settings.LANGUAGES).keys() == {"zh-hans", "en"}
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.DEFAULT_AUTO_FIELD == "django.db.models.BigAutoField"


@pytest.mark.django_db
def test_production_refuses_demo_accounts(settings):
    from demo.checks import no_demo_accounts

    settings.PRODUCTION = True
    assert [e.id for e in no_demo_accounts(None)] == ["accounts.E001"]  # the demo story is loaded in tests
    settings.PRODUCTION = False
    assert no_demo_accounts(None) == []


def test_uploads_go_to_s3_compatible_storage_when_a_bucket_is_named(monkeypatch):
    loaded = load(
        monkeypatch,
        DJANGO_S3_BUCKET="dongli-portal",
        DJANGO_S3_ENDPOINT_URL="http://minio.internal:9000",
    )
    default = loaded["STORAGES"]["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (
        default["OPTIONS"]["bucket_name"] == "dongli-portal"
        and default["OPTIONS"]["default_acl"] == "private"
    )
    assert load(monkeypatch)["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")


def test_the_cache_is_redis_when_redis_url_is_set(monkeypatch):
    """Several workers share the compliance engine's cache through Redis (its client is a pinned dependency)."""
    from django.core.cache.backends.redis import RedisCache

    loaded = load(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/15")
    config = loaded["CACHES"]["default"]
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    cache = RedisCache(config["LOCATION"], {})
    try:
        cache.set("portal-settings-test", "社工站", 5)
    except Exception as error:  # any connection error: no Redis on this machine
        pytest.skip(f"no Redis at 127.0.0.1:6379 ({error})")
    assert cache.get("portal-settings-test") == "社工站"
    assert load(monkeypatch)["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
