"""Each role's home page: the bureau's rollout dashboard, the contractor's workspace, the municipal overview; a
street office goes to its station. Every queryset starts from visible_to(request.user)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts.models import Role
from core.pages import PAGE_SIZES, filter_query, paginate
from evaluations.models import Evaluation
from reports import charts, selectors
from reports.compliance import due_items, findings
from reports.findings_cache import cached
from reports.models import Report, ReportFigure
from reports.selectors import StationStatus
from stations.models import AnnualPlan, District, Station
from stations.selectors import pinned


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    match request.user.role:
        case Role.BUREAU:
            return bureau_dashboard(request)
        case Role.STREET:
            station = Station.objects.visible_to(request.user).first()
            if station is not None:
                return redirect("station-detail", pk=station.pk)
        case Role.MUNICIPAL:
            return municipal_overview(request)
        case Role.CONTRACTOR:
            return contractor_home(request)
    return render(request, "home.html", {"stations": None})


def bureau_dashboard(request: HttpRequest) -> HttpResponse:
    """The rollout dashboard. Its body is the same for everyone of the same scope on the same data and day, so it
    is rendered once per data fingerprint (reports/findings_cache.py) and served from the cache until data changes."""
    today = timezone.localdate()
    stations = Station.objects.visible_to(request.user)

    def render_body() -> str:
        return render_to_string(
            "reports/dashboard_body.html", _dashboard_context(request, stations, today), request=request
        )

    body = cached("dashboard", stations, today, render_body)
    return render(request, "reports/dashboard.html", {"body": mark_safe(body)})  # noqa: S308 - our own rendering


def _dashboard_context(request, stations, today) -> dict:
    found = findings(stations, today)
    due = due_items(stations, today, days=31)
    scope = pinned(stations)
    plan_years = selectors.plan_against_reality(scope, today)
    rows, first, last = selectors.timeline_rows(scope, today)
    built = sum(y.built for y in plan_years)
    total = sum(y.planned for y in plan_years)
    district = District.objects.visible_to(request.user).select_related("plan").first()
    district_totals = selectors.monthly_service_totals(
        ReportFigure.objects.visible_to(request.user), months=6
    )
    mine = [f for f in found if f.responsible == Role.BUREAU and f.severity in ("error", "warn")]
    context = {
        "today": today,
        "plan_years": plan_years,
        "built": built,
        "total": total,
        "coverage_percent": round(100 * built / total) if total else 0,
        "plan_chart": charts.plan_vs_built([(y.year, y.planned, y.built) for y in plan_years]),
        "timeline": charts.timeline(rows, first, last, today),
        "summary": selectors.findings_summary(found),
        "findings": found,
        "my_findings": mine,
        "due": due,
        "month_due": [item for item in due if item.due.month == today.month and item.due.year == today.year],
        "district": district,
        "service_totals": district_totals,
        "plan": getattr(district, "plan", None) if district else None,
    }
    return context


def contractor_home(request: HttpRequest) -> HttpResponse:
    """The contractor's stations, what it owes this month and overdue, findings against it, reports to fix."""
    today = timezone.localdate()
    user = request.user
    stations = Station.objects.visible_to(user)
    org_ids = set(user.contractor_memberships.values_list("contractor", flat=True))
    held = {s.pk for s in stations}

    def ours(item) -> bool:
        return (item.contractor_id in org_ids) or (item.contractor_id is None and item.station_id in held)

    found = [f for f in findings(stations, today) if f.responsible == Role.CONTRACTOR and ours(f)]
    due = [d for d in due_items(stations, today, days=31) if d.responsible == Role.CONTRACTOR and ours(d)]
    returned = (
        Report.objects.visible_to(user)
        .filter(status=Report.Status.RETURNED)
        .select_related("contract_year__station")
        .prefetch_related("reviews")
    )
    return render(
        request,
        "reports/contractor_home.html",
        {
            "rows": selectors.station_rows(stations, today),
            "findings": found,
            "due": due,
            "returned": returned,
            "today": today,
            "status_labels": StationStatus.LABELS,
            "status_tags": StationStatus.TAGS,
        },
    )


def municipal_overview(request: HttpRequest) -> HttpResponse:
    """Every district's totals, aggregated by district in the database: a fixed number of queries for a city of
    11 stations or a province of 40,000 (one page of districts at a time, plus the totals)."""
    today = timezone.localdate()
    page = paginate(request, District.objects.visible_to(request.user).order_by("code"))
    everywhere = Station.objects.visible_to(request.user)
    # A province's totals read every station: kept until the data changes (reports/findings_cache.py).
    totals = cached("coverage", everywhere, today, lambda: selectors.coverage_by_district(everywhere, today))
    on_page = selectors.coverage_by_district(
        Station.objects.visible_to(request.user).filter(street__district__in=[d.pk for d in page]),
        today,
        by_district=True,
    )
    grades = selectors.grades_by_district(
        Evaluation.objects.visible_to(request.user).filter(
            contract_year__station__street__district__in=[d.pk for d in page]
        )
    )
    districts = [
        {"district": d, **on_page.get(d.pk, selectors.EMPTY_COVERAGE), "grades": grades.get(d.pk, {})}
        for d in page
    ]
    evaluations = (
        Evaluation.objects.visible_to(request.user)
        # Mid-term and year-end results reach the municipal bureau once signed by both sides and reported through
        # the portal (R-EVAL-1, -2): visible_to gives the municipal bureau only those reported.
        .filter(street_signed_at__isnull=False, bureau_signed_at__isnull=False, reported_at__isnull=False)
        .exclude(grade="")
        .select_related("contract_year__station", "contract_year__cycle__contractor", "reported_by")
        .order_by("-reported_at", "-pk")[:60]
    )
    plans = AnnualPlan.objects.visible_to(request.user).select_related("district").order_by("-year")[:60]
    return render(
        request,
        "reports/municipal.html",
        {
            "districts": districts,
            "page": page,
            "page_sizes": PAGE_SIZES,
            "query": filter_query(request),
            "totals": totals,
            "grade_choices": [c for c in Evaluation.Grade.choices if c[0]],
            "evaluations": evaluations,
            "plans": plans,
            "today": today,
        },
    )
