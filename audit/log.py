"""Writing the audit log: one call per event, with the request's user and address when there is a request."""

from audit.models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR (behind the proxy, Django's SECURE_PROXY_SSL_HEADER setup and gunicorn's
    forwarded-allow-ips make it the real client)."""
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def record(
    action: str,
    *,
    request=None,
    user=None,
    username: str = "",
    obj=None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
) -> AuditEvent:
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor=user,
        username=(user.username if user else username)[:150],
        role=getattr(user, "role", "") or "",
        ip=client_ip(request) if request is not None else None,
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        summary=summary[:500],
        outcome=outcome,
    )
