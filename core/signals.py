"""Events the lower floors announce without importing the audit log (the audit app listens; nothing below it
imports it): logins and account changes from accounts, downloads and exports from the kernel.

`announce(action, request=..., user=..., obj=..., object_type=..., summary=..., outcome="success")`: the action is
one of audit.models.AuditEvent.Action's values.
"""

from django.dispatch import Signal

security_event = Signal()


def announce(
    action: str,
    *,
    request=None,
    user=None,
    obj=None,
    object_type: str = "",
    summary: str = "",
    outcome: str = "success",
):
    security_event.send(
        sender=None,
        action=action,
        request=request,
        user=user,
        obj=obj,
        object_type=object_type,
        summary=summary,
        outcome=outcome,
    )
