"""The auditor's pages: search the audit log and export what the search shows (the export is itself logged)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import AuditEvent
from core.access import role_required
from core.exports import list_export, wants_export
from core.pages import PAGE_SIZES, filter_query, paginate
from core.querystring import query_date, query_text
from core.workbook import Column


@require_GET
@role_required("auditor")
def audit_log(request):
    events = AuditEvent.objects.visible_to(request.user)
    username, action = query_text(request.GET.get("username")), request.GET.get("action", "")
    start, end = query_date(request.GET.get("start")), query_date(request.GET.get("end"))
    q = query_text(request.GET.get("q"))
    if username:
        events = events.filter(username=username)
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    if start:
        events = events.filter(at__date__gte=start)
    if end:
        events = events.filter(at__date__lte=end)
    if request.GET.get("outcome") in AuditEvent.Outcome.values:
        events = events.filter(outcome=request.GET["outcome"])
    if q:
        events = events.filter(Q(summary__contains=q) | Q(object_type__contains=q) | Q(ip__contains=q))
    if wants_export(request):
        return list_export(
            request,
            _("审计日志"),
            [
                Column(_("时间"), 18, "datetime"),
                Column(_("用户名"), 14),
                Column(_("角色"), 10),
                Column(_("来源地址"), 16),
                Column(_("操作"), 12),
                Column(_("对象类型"), 24),
                Column(_("对象编号"), 10),
                Column(_("内容"), 60),
                Column(_("结果"), 8),
            ],
            (
                [
                    e.at,
                    e.username,
                    e.role,
                    e.ip,
                    e.get_action_display(),
                    e.object_type,
                    e.object_id,
                    e.summary,
                    e.get_outcome_display(),
                ]
                for e in events.iterator(2000)
            ),
        )
    return render(
        request,
        "audit/log.html",
        {
            "page": paginate(request, events, default=50),
            "actions": AuditEvent.Action.choices,
            "outcomes": AuditEvent.Outcome.choices,
            "roles": dict(get_user_model()._meta.get_field("role").choices),
            "query": filter_query(request),
            "page_sizes": PAGE_SIZES,
        },
    )
