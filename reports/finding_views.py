"""The rule catalogue and the findings: what is wrong or at risk, each citing its rule and clause."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.access import role_required
from core.findings import findings_rows_sheet
from core.forms import form_page
from core.lists import Filter, list_page
from core.parameters import parameter_changes, parameters_on
from core.policy import PLAN_TITLE, RULES
from core.querystring import query_date, query_text
from core.services import parameter_change
from reports.compliance import findings, for_viewer
from reports.forms import ParameterChangeForm
from stations.models import Station


@require_GET
def rule_catalogue(request: HttpRequest) -> HttpResponse:
    """The rules, and the policy parameters as they stood on a chosen day (today by default) with every change."""
    today = timezone.localdate()
    on = query_date(request.GET.get("on")) or today
    return render(
        request,
        "reports/rules.html",
        {
            "rules": RULES.values(),
            "plan_title": PLAN_TITLE,
            "on": on,
            "today": today,
            "parameters": parameters_on(on),
            "changes": parameter_changes(),
            "can_change_parameters": request.user.is_authenticated and request.user.role == Role.BUREAU,
            "can_see_sheets": request.user.is_authenticated
            and request.user.role in (Role.BUREAU, Role.STREET, Role.MUNICIPAL),
        },
    )


@role_required(Role.BUREAU)
def parameter_change_view(request: HttpRequest) -> HttpResponse:
    """The bureau changes a policy parameter from today or a later day, naming its document (三权分立)."""
    form = ParameterChangeForm(request.POST or None, initial={"key": query_text(request.GET.get("key"))})
    return form_page(
        request,
        form,
        lambda data: parameter_change(actor=request.user, **data),
        done=lambda row: (
            _("已调整：{row}，依据{document_no}。").format(row=row, document_no=row.document_no),
            reverse("rules") + "#parameters",
        ),
        title=_("调整政策参数"),
        intro=_(
            "政策参数只由区民政局调整：写明依据的文件文号，从今天或以后的日期起生效；此前各日仍按当时的值判断。"
        ),
        cancel_url=reverse("rules") + "#parameters",
    )


SEVERITIES = ("error", "warn", "track")


@require_GET
@role_required(Role.BUREAU, Role.STREET, Role.CONTRACTOR, Role.MUNICIPAL)
def finding_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = for_viewer(findings(Station.objects.visible_to(request.user), today), request.user)
    return list_page(
        request,
        found,
        template="reports/findings.html",
        filters=[
            Filter(
                "rule",
                lambda raw: raw if raw in RULES else "",
                lambda rows, v: [f for f in rows if f.rule_id == v],
            ),
            Filter(
                "severity",
                lambda raw: raw if raw in SEVERITIES else "",
                lambda rows, v: [f for f in rows if f.severity == v],
            ),
        ],
        export=lambda rows: (_("整改问题"), findings_rows_sheet(rows)),
        context=lambda page: {
            "findings": page.object_list,
            "rules": RULES.values(),
            "rule": request.GET.get("rule", "") if request.GET.get("rule") in RULES else "",
            "severity": request.GET.get("severity", "") if request.GET.get("severity") in SEVERITIES else "",
            "today": today,
            "severities": [("error", _("问题")), ("warn", _("风险")), ("track", _("记录"))],
        },
        default_size=50,
    )
