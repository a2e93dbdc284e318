from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.models import APPROVER_ROLE, AccountRequest
from accounts.services import account_request_decide, may_decide
from core.access import role_required
from core.querystring import query_id


@role_required(*sorted(set(APPROVER_ROLE.values())))
def account_requests(request: HttpRequest) -> HttpResponse:
    """The second person's page (三权分立): requests the administrator made that this person's role decides."""
    issued = None
    if request.method == "POST":
        row = AccountRequest.objects.filter(
            pk=query_id(request.POST.get("request")), status=AccountRequest.Status.PENDING
        ).first()
        if row is None or not may_decide(row, request.user):
            raise Http404(_("没有找到该申请，或该申请不由您审批。"))
        approve = request.POST.get("decision") == "approve"
        try:
            password = account_request_decide(
                request_row=row, approve=approve, actor=request.user, request=request
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("已批准。") if approve else _("已驳回。"))
            if password:
                issued = {"username": row.user.username, "password": password}
    rows = AccountRequest.objects.select_related("user", "requested_by", "decided_by").filter(
        role__in=[role for role, approver in APPROVER_ROLE.items() if approver == request.user.role]
    )
    pending = [r for r in rows.filter(status=AccountRequest.Status.PENDING) if may_decide(r, request.user)]
    decided = rows.exclude(status=AccountRequest.Status.PENDING).filter(decided_by=request.user)[:20]
    response = render(
        request, "accounts/requests.html", {"pending": pending, "decided": decided, "issued": issued}
    )
    response["Cache-Control"] = "no-store"  # a temporary password may be on the page
    return response
