"""Refused access into the audit log: every 403 (a forbidden action) and every 404 a signed-in user meets on a
record URL (a record outside the user's scope answers 404, like a missing one)."""

from audit.log import record
from audit.models import AuditEvent


class RefusedAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code in (403, 404)
            and getattr(request, "user", None)
            and request.user.is_authenticated
        ) and not request.path.startswith(("/static/", "/favicon")):
            record(
                AuditEvent.Action.DENIED,
                request=request,
                object_type=request.method,
                object_id=str(response.status_code),
                summary=request.get_full_path()[:500],
                outcome=AuditEvent.Outcome.FAILURE,
            )
        return response
