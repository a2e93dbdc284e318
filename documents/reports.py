"""The rollout status report (PDF) for the municipal bureau: the same figures and chart as the dashboard."""

import datetime
from collections import Counter

from django.utils import timezone

from core.policy import RULES
from documents.chinese import chinese_document
from documents.pdf import render_pdf
from documents.rollout import built_status
from reports import charts
from reports.compliance import findings
from reports.selectors import StationStatus, plan_against_reality, station_rows
from staffing.selectors import resident_postings
from stations.models import District


@chinese_document
def rollout_pdf(stations, today: datetime.date | None = None, *, people: bool = True) -> bytes:
    """The rollout report of the given stations (a user's `Station.objects.visible_to`); without `people`, findings
    name no one."""
    today = today or timezone.localdate()
    districts = list(District.objects.filter(streets__stations__in=stations.values("pk")).distinct()[:2])
    scope_name = districts[0].name if len(districts) == 1 else "全市"
    plan_years = plan_against_reality(stations, today)
    rows = list(station_rows(stations, today))
    for s in rows:
        s.built_label = built_status(s.street.planned_year, s.built_on, today)
        s.status_label = StationStatus.LABELS[s.status]
    found = findings(stations, today)
    if not people:
        found = [f.without_person() for f in found]
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


@chinese_document
def evaluation_pdf(evaluation) -> bytes:
    """The evaluation form for signature (R-EVAL-1, R-EVAL-2): scores, total, grade and both sign-offs."""
    scores = list(evaluation.scores.all())
    return render_pdf(
        "documents/evaluation.html",
        {
            "title": f"{evaluation.contract_year.station.name}{evaluation.get_kind_display()}表",
            "evaluation": evaluation,
            "station": evaluation.contract_year.station,
            "scores": scores,
            "max_total": sum((s.max_score for s in scores), start=0),
        },
    )


@chinese_document
def annual_plan_pdf(plan, today: datetime.date | None = None) -> bytes:
    """The annual implementation plan as sent to the municipal bureau (R-PLAN-3), with the plan's progress."""
    from core.policy import PLAN_TITLE
    from stations.models import Station

    today = today or timezone.localdate()
    plan_years = plan_against_reality(Station.objects.filter(street__district=plan.district), today)

    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    return render_pdf(
        "documents/annual_plan.html",
        {
            "title": plan.title,
            "plan": plan,
            "plan_title": PLAN_TITLE,
            "goals": lines(plan.goals),
            "measures": lines(plan.measures),
            "timeline": lines(plan.timeline),
            "plan_years": plan_years,
            "chart": charts.plan_vs_built([(y.year, y.planned, y.built) for y in plan_years]),
            "today": today,
        },
    )


@chinese_document
def dossier_pdf(station, user, today: datetime.date | None = None) -> bytes:
    """One station on paper: its conditions, cycles and contract years, resident workers, briefs and findings."""
    from django.db.models import Count, Q

    from accounts.models import sees_people
    from contracts.models import ContractYear
    from reports.compliance import for_viewer
    from reports.models import Report
    from reports.selectors import submitted_late
    from staffing.models import Posting
    from staffing.selectors import in_force, qualification_rows, team_counts
    from stations.models import SiteConditionLog, Station
    from stations.services import CHECK_FIELDS

    today = today or timezone.localdate()
    one = Station.objects.filter(pk=station.pk)
    row = station_rows(one, today).get()
    log = SiteConditionLog.objects.filter(station=station).order_by("-logged_on").first()
    postings = list(
        Posting.objects.visible_to(user).filter(cycle__station=station).select_related("worker", "cycle")
    )
    briefs = Report.objects.filter(contract_year__station=station, kind=Report.Kind.MONTHLY).aggregate(
        due=Count("pk"),
        received=Count("pk", filter=Q(submitted_at__isnull=False)),
        overdue=Count("pk", filter=Q(submitted_at__isnull=True, due_date__lt=today)),
    )
    briefs["late"] = sum(
        1
        for due, submitted in Report.objects.filter(
            contract_year__station=station, kind=Report.Kind.MONTHLY, submitted_at__isnull=False
        ).values_list("due_date", "submitted_at")
        if submitted_late(due, submitted)
    )
    return render_pdf(
        "documents/dossier.html",
        {
            "title": f"{station.name}档案",
            "station": station,
            "row": row,
            "status_label": StationStatus.LABELS[row.status],
            "log": log,
            "log_items": [
                (str(SiteConditionLog._meta.get_field(name).verbose_name), getattr(log, name))
                for name in CHECK_FIELDS
            ]
            if log
            else [],
            "years": ContractYear.objects.filter(station=station)
            .select_related("cycle__contractor")
            .prefetch_related("evaluations")
            .order_by("start_date"),
            "workers": qualification_rows(in_force(postings, today), today),
            "people": sees_people(user),
            "team": team_counts(one, today).get(station.pk),
            "briefs": briefs,
            "found": [f for f in for_viewer(findings(one, today), user) if f.severity in ("error", "warn")],
            "today": today,
        },
    )
