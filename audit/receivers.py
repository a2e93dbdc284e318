"""Signals into the audit log: logins, logouts, failures, lockouts, and every create, update and delete of a
business record (through simple-history, which already sees each one with its user)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from audit.log import record
from audit.models import AuditEvent
from core.signals import security_event

HISTORY_ACTIONS = {
    "+": AuditEvent.Action.CREATE,
    "~": AuditEvent.Action.UPDATE,
    "-": AuditEvent.Action.DELETE,
}


@receiver(security_event)
def account_event(sender, action, request=None, user=None, obj=None, summary="", outcome="success", **kwargs):
    """Events the accounts app announces (core.signals): requests, approvals, resets, enrolment codes."""
    record(action, request=request, user=user, obj=obj, summary=summary, outcome=outcome)


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Action.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Action.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    record(
        AuditEvent.Action.LOGIN_FAILED,
        request=request,
        username=str(credentials.get("username", ""))[:150],
        outcome=AuditEvent.Outcome.FAILURE,
    )


@receiver(user_locked_out)
def locked_out(sender, request, username, ip_address, **kwargs):
    record(
        AuditEvent.Action.LOCKOUT,
        request=request,
        username=str(username or "")[:150],
        summary=f"连续登录失败，账号锁定（来源{ip_address}）",
        outcome=AuditEvent.Outcome.FAILURE,
    )


@receiver(post_create_historical_record)
def business_record_changed(sender, instance, history_instance, history_user=None, **kwargs):
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)  # set by HistoryRequestMiddleware
    if history_instance.history_type == "~":
        previous = history_instance.prev_record
        if previous is not None and not history_instance.diff_against(previous).changes:
            return  # a save that changed nothing tracked (a login's last_login): not a business change
    record(
        HISTORY_ACTIONS.get(history_instance.history_type, AuditEvent.Action.UPDATE),
        request=request,
        user=history_user or getattr(request, "user", None),
        username="（系统）" if history_user is None else "",
        obj=instance,
        summary=str(instance)[:200]
        + (f"；{history_instance.history_change_reason}" if history_instance.history_change_reason else ""),
    )
