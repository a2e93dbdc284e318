"""What accounts tell the audit log without importing it (the audit app listens; nothing below imports it).

`security_event.send(sender, action=..., request=..., user=..., obj=..., summary=..., outcome="success")`: the
action is one of audit.models.AuditEvent.Action's values.
"""

from django.dispatch import Signal

security_event = Signal()


def announce(action: str, *, request=None, user=None, obj=None, summary: str = "", outcome: str = "success"):
    security_event.send(
        sender=None, action=action, request=request, user=user, obj=obj, summary=summary, outcome=outcome
    )
