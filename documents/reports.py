"""The rollout status report (PDF) for the municipal bureau: the same figures and chart as the dashboard."""

import datetime
from collections import Counter

from django.utils import timezone

from accounts.policy import RULES
from documents.pdf import render_pdf
from documents.rollout import built_status
from reports import charts
from reports.compliance import findings
from reports.selectors import StationStatus, plan_against_reality, station_rows
from staffing.rules import resident_postings
from stations.models import District


def rollout_pdf(stations, today: datetime.date | None = None) -> bytes:
    """The rollout report of the given stations (a user's `Station.objects.visible_to`)."""
    today = today or timezone.localdate()
    districts = list(District.objects.filter(streets__stations__in=stations.values("pk")).distinct()[:2])
    scope_name = districts[0].name if len(districts) == 1 else "全市"
    plan_years = plan_against_reality(stations, today)
    rows = list(station_rows(stations, today))
    for s in rows:
        s.built_label = built_status(s.street.planned_year, s.built_on, today)
        s.status_label = StationStatus.LABELS[s.status]
    found = findings(stations, today)
    counts = Counter((f.rule_id, f.severity) for f in found)
    summary = [
        {
            "rule_id": rule_id,
            "title": RULES[rule_id].title,
            "error": counts[(rule_id, "error")],
            "warn": counts[(rule_id, "warn")],
        }
        for rule_id in sorted(
            {f.rule_id for f in found if f.severity in ("error", "warn")}, key=list(RULES).index
        )
    ]
    total = sum(y.planned for y in plan_years)
    built = sum(y.built for y in plan_years)
    context = {
        "title": f"{scope_name}街道社会工作服务站建设进展情况",
        "issuer": f"{scope_name}民政局" if len(districts) == 1 else "民政局",
        "scope_name": scope_name,
        "today": today,
        "plan_years": plan_years,
        "total": total,
        "built": built,
        "coverage": round(100 * built / total) if total else 0,
        "behind": sum(y.behind for y in plan_years),
        "operating": sum(1 for s in rows if s.status == StationStatus.OPERATING),
        "workers": resident_postings(stations, today).count(),
        "stations": rows,
        "chart": charts.plan_vs_built([(y.year, y.planned, y.built) for y in plan_years]),
        "summary": summary,
        "serious": [f for f in found if f.severity == "error"],
    }
    return render_pdf("documents/rollout.html", context)
