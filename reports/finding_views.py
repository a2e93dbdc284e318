"""The rule catalogue and the findings: what is wrong or at risk, each citing its rule and clause."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.access import role_required
from core.findings import findings_rows_sheet
from core.lists import Filter, list_page
from core.policy import PLAN_TITLE, RULES
from reports.compliance import findings, for_viewer
from stations.models import Station


@require_GET
def rule_catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/rules.html", {"rules": RULES.values(), "plan_title": PLAN_TITLE})


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
