"""Sessions that end: after 30 minutes idle (SESSION_COOKIE_AGE, renewed on each request), 12 hours after login
whatever the activity, and everywhere at once when the user logs out or the account is disabled. A password older
than 90 days must be changed before anything else."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

LOGIN_AT, EPOCH, SEEN = "portal_login_at", "portal_session_epoch", "portal_seen"
RENEW_EVERY = datetime.timedelta(minutes=1)


@receiver(user_logged_in)
def stamp_session(sender, request, user, **kwargs):
    from accounts.two_factor import needs_second_factor

    request.session[LOGIN_AT] = request.session[SEEN] = timezone.now().isoformat()
    request.session[EPOCH] = user.session_epoch
    needs_second_factor(user, request.session)  # remembered for the session: no device lookups on every page


@receiver(user_logged_out)
def end_every_session(sender, request, user, **kwargs):
    if user is not None:
        user.end_all_sessions()


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def disabled_account_loses_its_sessions(sender, instance, **kwargs):
    if not instance.is_active:
        instance.end_all_sessions()


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refused = self._check(request, user)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request, user):
        session = request.session
        login_at = session.get(LOGIN_AT)
        started = datetime.datetime.fromisoformat(login_at) if login_at else None
        limit = datetime.timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
        if session.get(EPOCH) != user.session_epoch or started is None or timezone.now() - started > limit:
            session.flush()  # this session only; a logout would end the user's other sessions too
            request.user = AnonymousUser()
            messages.info(request, _("登录已过期，请重新登录。"))
            return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
        # Activity renews the idle timer; writing the session once a minute is enough (not on every request).
        now = timezone.now()
        seen = session.get(SEEN)
        if seen is None or now - datetime.datetime.fromisoformat(seen) >= RENEW_EVERY:
            session[SEEN] = now.isoformat()
        from accounts.two_factor import second_factor_redirect

        second = second_factor_redirect(request)
        if second is not None:
            return second
        if request.path in (reverse("password-change"), reverse("logout")):
            return None
        if user.must_change_password:
            messages.warning(request, _("您的密码由系统管理员重置，请先设定自己的新密码。"))
            return redirect("password-change")
        max_age = datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
        changed = user.password_changed_at
        if changed is None or timezone.now() - changed > max_age:
            messages.warning(
                request,
                _("密码已超过{PASSWORD_MAX_AGE_DAYS}天未修改，请先修改密码。").format(
                    PASSWORD_MAX_AGE_DAYS=settings.PASSWORD_MAX_AGE_DAYS
                ),
            )
            return redirect("password-change")
        return None
