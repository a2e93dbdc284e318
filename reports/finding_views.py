"""The rule catalogue and the findings: what is wrong or at risk, each citing its rule and clause."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.access import role_required
from core.exports import list_export, wants_export
from core.findings import findings_rows_sheet
from core.policy import PLAN_TITLE, RULES
from reports.compliance import findings, for_viewer
from stations.models import Station


@require_GET
def rule_catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/rules.html", {"rules": RULES.values(), "plan_title": PLAN_TITLE})


@require_GET
@role_required(Role.BUREAU, Role.STREET, Role.CONTRACTOR, Role.MUNICIPAL)
def finding_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    found = for_viewer(findings(Station.objects.visible_to(request.user), today), request.user)
    rule, severity = request.GET.get("rule", ""), request.GET.get("severity", "")
    if rule:
        found = [f for f in found if f.rule_id == rule]
    if severity:
        found = [f for f in found if f.severity == severity]
    if wants_export(request):
        return list_export(request, _("整改问题"), sheet=findings_rows_sheet(found))
    return render(
        request,
        "reports/findings.html",
        {
            "findings": found,
            "rules": RULES.values(),
            "rule": rule,
            "severity": severity,
            "today": today,
            "severities": [("error", _("问题")), ("warn", _("风险")), ("track", _("记录"))],
        },
    )
