"""The auditor's pages: search the audit log and export what the search shows (the export is itself logged)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.models import AuditEvent
from core.access import role_required
from core.lists import Filter, choice_filter, date_filter, list_page, text_filter
from core.querystring import query_text
from core.workbook import Column


@require_GET
@role_required("auditor")
def audit_log(request):
    events = AuditEvent.objects.visible_to(request.user)

    def export(rows):
        return (
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
                for e in rows.iterator(2000)
            ),
        )

    return list_page(
        request,
        events,
        template="audit/log.html",
        filters=[
            Filter("username", query_text, lambda rows, value: rows.filter(username=value)),
            choice_filter("action", "action", AuditEvent.Action.choices),
            choice_filter("outcome", "outcome", AuditEvent.Outcome.choices),
            date_filter("start", "at__date__gte"),
            date_filter("end", "at__date__lte"),
            text_filter("q", "summary__contains", "object_type__contains", "ip__contains"),
        ],
        export=export,
        context={
            "actions": AuditEvent.Action.choices,
            "outcomes": AuditEvent.Outcome.choices,
            "roles": dict(get_user_model()._meta.get_field("role").choices),
        },
        default_size=50,
    )
