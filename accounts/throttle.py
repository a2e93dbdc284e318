"""Slowing down password guessing without letting anyone lock a stranger out (等保 2.0 登录失败处理).

Two measures together:
- django-axes locks the pair (user name, address) for 30 minutes after 5 failures (settings AXES_*): a guesser at one
  address is stopped, while the account's owner, at another address, still logs in. Locking the name alone would
  let anyone who knows a colleague's user name lock them out for 30 minutes by typing it (the second red-team
  round found exactly that).
- across all addresses, a user name that has failed THROTTLE_AFTER times in a row must wait before the next try: 2,
  4, 8 … seconds after the last failure, at most THROTTLE_MAX_SECONDS. An attempt made too early is refused without
  looking at the password (so it cannot guess) and without counting as a failure; the owner waits a minute at most.
  No CAPTCHA (district networks block the usual services, and officers find them hostile).

The counts live in Django's cache (Redis in production: shared by every app server).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.utils import timezone

WINDOW_SECONDS = 15 * 60


def _key(username: str) -> str:
    return "login-failures:" + str(username or "").strip().lower()[:150]


def wait_seconds(username: str) -> int:
    """How long `username` must still wait before its next try (0: it may try now)."""
    failures, last = cache.get(_key(username), (0, None))
    limit = settings.THROTTLE_AFTER
    if failures < limit or last is None:
        return 0
    delay = min(2 ** (failures - limit + 1), settings.THROTTLE_MAX_SECONDS)
    elapsed = (timezone.now() - last).total_seconds()
    return max(0, int(delay - elapsed + 0.999))


@receiver(user_login_failed)
def count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    failures, _last = cache.get(_key(username), (0, None))
    cache.set(_key(username), (failures + 1, timezone.now()), WINDOW_SECONDS)


@receiver(user_logged_in)
def forget_failures(sender, request, user, **kwargs):
    cache.delete(_key(user.get_username()))
