"""Read queries of the portal's pages: each costs a fixed number of queries whatever the number of stations."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import ContractYear, Procurement, ProjectCycle
from contracts.selectors import brief_due
from core.dates import add_months
from core.models import ParameterKey
from core.parameters import int_parameter
from evaluations.models import Evaluation
from reports.charts import TimelineBar, TimelineRow
from reports.models import Report
from staffing.models import Posting

# --- Built or not (R-PLAN-2): a contract signed and workers posted -------------------------------------------


def with_built_on(stations: QuerySet) -> QuerySet:
    """Annotate `built_on`: the day a station counts as built (R-PLAN-2) — its first contract signed and its
    resident workers posted, whichever came later; None while either is missing."""
    # Correlated MIN() subqueries, one index lookup per station, not Min() over joins: no GROUP BY over every station
    # in scope, so a paginated list computes them for its page's rows only (bench/run.py at 40,000). Not ORDER BY
    # ... LIMIT 1, which PostgreSQL may answer by walking a date index across every station's rows.
    signed = (
        ContractYear.objects.filter(station=OuterRef("pk"), signed_on__isnull=False)
        .order_by()
        .values("station")
        .annotate(first=Min("signed_on"))
        .values("first")
    )
    posted = (
        Posting.objects.filter(cycle__station=OuterRef("pk"))
        .order_by()
        .values("cycle__station")
        .annotate(first=Min("start_date"))
        .values("first")
    )
    return stations.annotate(
        first_signed=Subquery(signed),
        first_posted=Subquery(posted),
    ).annotate(
        built_on=Case(
            When(
                Q(first_signed__isnull=False) & Q(first_posted__isnull=False),
                then=Greatest(F("first_signed"), F("first_posted")),
            ),
            default=None,
            output_field=DateField(),
        )
    )


def built_on_of(
    first_signed: datetime.date | None, first_posted: datetime.date | None
) -> datetime.date | None:
    """`built_on` from the two days `with_built_on` annotates, for a query that selects those two only: the
    database then runs each subquery once a station (an expression that names them both runs them twice each)."""
    if first_signed is None or first_posted is None:
        return None
    return max(first_signed, first_posted)


def _signed_and_posted():
    return (
        Exists(ContractYear.objects.filter(station=OuterRef("pk"), signed_on__isnull=False)),
        Exists(Posting.objects.filter(cycle__station=OuterRef("pk"))),
    )


def built(stations: QuerySet) -> QuerySet:
    """The stations that count as built (R-PLAN-2): a contract signed and workers posted. As semi-joins, which
    the database answers for thousands of stations at once; `with_built_on` gives the day itself."""
    signed, posted = _signed_and_posted()
    return stations.filter(signed, posted)


def not_built(stations: QuerySet) -> tuple[QuerySet, QuerySet]:
    """The stations not built: (those without a signed contract, those without workers posted) - two
    anti-joins, which may overlap."""
    signed, posted = _signed_and_posted()
    return stations.filter(~signed), stations.filter(~posted)


class StationStatus:
    """One definition of a station's status, used by the pages, the PDF and the workbook: in operation (a cycle runs
    today); procuring (a procurement is open); awarded (a cycle is awarded and starts later — its first year can be
    signed now); not built (no cycle ever); between cycles (the last one has ended and nothing follows yet)."""

    PLANNED = "planned"
    PROCURING = "procuring"
    AWARDED = "awarded"
    OPERATING = "operating"
    LAPSED = "lapsed"
    LABELS = {
        PLANNED: gettext_lazy("未建站"),
        PROCURING: gettext_lazy("采购中"),
        AWARDED: gettext_lazy("已中标待开始"),
        OPERATING: gettext_lazy("运行中"),
        LAPSED: gettext_lazy("周期结束待采购"),
    }
    TAGS = {
        PLANNED: "secondary",
        PROCURING: "warning",
        AWARDED: "info",
        OPERATING: "success",
        LAPSED: "danger",
    }
    CHOICES = list(LABELS.items())


def status_filter(status: str, today: datetime.date) -> Q:
    """The stations of one status, as the conditions behind station_rows' `status` (the same order of cases), in a
    form the database answers with semi-joins instead of computing every station's status first."""
    current = Exists(
        ProjectCycle.objects.filter(station=OuterRef("pk"), start_date__lte=today, end_date__gte=today)
    )
    procuring = Exists(Procurement.objects.filter(station=OuterRef("pk"), status=Procurement.Status.OPEN))
    coming = Exists(ProjectCycle.objects.filter(station=OuterRef("pk"), start_date__gt=today))
    any_cycle = Exists(ProjectCycle.objects.filter(station=OuterRef("pk")))
    return {
        StationStatus.OPERATING: Q(current),
        StationStatus.PROCURING: ~Q(current) & Q(procuring),
        StationStatus.AWARDED: ~Q(current) & ~Q(procuring) & Q(coming),
        StationStatus.PLANNED: ~Q(current) & ~Q(procuring) & ~Q(any_cycle),
        StationStatus.LAPSED: ~Q(current) & ~Q(procuring) & ~Q(coming) & Q(any_cycle),
    }[status]


def station_rows(stations, today: datetime.date):
    """Stations with what a list shows: status, current contractor and contract year, built date."""
    current_cycle = ProjectCycle.objects.filter(
        station=OuterRef("pk"), start_date__lte=today, end_date__gte=today
    )
    current_year = ContractYear.objects.filter(
        station=OuterRef("pk"), start_date__lte=today, end_date__gte=today
    )
    open_procurement = Procurement.objects.filter(station=OuterRef("pk"), status=Procurement.Status.OPEN)
    return (
        with_built_on(stations)
        .annotate(
            contractor_name=Subquery(current_cycle.values("contractor__name")[:1]),
            contractor_id=Subquery(current_cycle.values("contractor_id")[:1]),
            year_start=Subquery(current_year.values("start_date")[:1]),
            year_end=Subquery(current_year.values("end_date")[:1]),
            year_amount=Subquery(current_year.values("amount")[:1]),
            status=Case(
                When(Exists(current_cycle), then=Value(StationStatus.OPERATING)),
                When(Exists(open_procurement), then=Value(StationStatus.PROCURING)),
                When(
                    Exists(ProjectCycle.objects.filter(station=OuterRef("pk"), start_date__gt=today)),
                    then=Value(StationStatus.AWARDED),
                ),
                When(
                    ~Exists(ProjectCycle.objects.filter(station=OuterRef("pk"))),
                    then=Value(StationStatus.PLANNED),
                ),
                default=Value(StationStatus.LAPSED),
                output_field=CharField(),
            ),
        )
        .select_related("street", "street__district")
        .order_by("street__planned_year", "street_id")
    )


@dataclass
class PlanYear:
    year: int
    planned: int
    built: int
    on_time: int
    behind: int


def plan_against_reality(stations, today: datetime.date) -> list[PlanYear]:
    """Per plan year of the annex: stations planned, built, built within their year, behind (R-PLAN-1, -2)."""
    rows = (
        with_built_on(stations).order_by().values_list("street__planned_year", "first_signed", "first_posted")
    )
    years: dict[int, PlanYear] = {}
    for year, first_signed, first_posted in rows.iterator(2000):
        entry = years.setdefault(year, PlanYear(year, 0, 0, 0, 0))
        entry.planned += 1
        built = built_on_of(first_signed, first_posted)
        if built is not None:
            entry.built += 1
            if built.year <= year:
                entry.on_time += 1
        elif today.year > year:
            entry.behind += 1
    return [years[y] for y in sorted(years)]


def timeline_rows(stations, today: datetime.date) -> tuple[list[TimelineRow], int, int]:
    """Each station's contract years with holder and year-end grade, for the timeline chart (2 queries)."""
    years = list(
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .select_related("cycle__contractor", "station")
        .order_by("station__street__planned_year", "station_id", "start_date")
    )
    grades = dict(
        Evaluation.objects.filter(
            contract_year__in=[y.pk for y in years], kind=Evaluation.Kind.FINAL
        ).values_list("contract_year", "grade")
    )
    by_station: dict[int, TimelineRow] = {}
    names = dict(stations.values_list("pk", "street__name"))
    for station_id, name in sorted(names.items(), key=lambda item: item[0]):
        by_station[station_id] = TimelineRow(name=name, bars=[])
    for year in years:
        contractor = year.cycle.contractor
        grade = grades.get(year.pk, "")
        grade_label = dict(Evaluation.Grade.choices).get(grade, _("未评估"))
        by_station[year.station_id].bars.append(
            TimelineBar(
                year.start_date,
                year.end_date,
                contractor.short_name or contractor.name[:4],
                grade,
                f"{year.station.name} {year.label} {contractor.name} {grade_label}",
            )
        )
    first = min([y.start_date.year for y in years] + [today.year])
    last = max([y.end_date.year for y in years] + [today.year])
    order = list(stations.order_by("street__planned_year", "street_id").values_list("pk", flat=True))
    return [by_station[pk] for pk in order if pk in by_station], first, last


def findings_summary(found) -> dict:
    by_severity = Counter(f.severity for f in found)
    by_rule = Counter(f.rule_id for f in found)
    per_station = defaultdict(list)
    for f in found:
        per_station[f.station_id].append(f)
    return {"by_severity": by_severity, "by_rule": sorted(by_rule.items()), "per_station": per_station}


def monthly_service_totals(figures, months: int = 12):
    """Sessions and people served per month from the monthly briefs' figures (R-SVC-1): one query."""
    from django.db.models import Sum

    return list(
        figures.filter(report__kind="monthly")
        .values("report__period")
        .annotate(sessions=Sum("sessions"), people=Sum("people"))
        .order_by("-report__period")[:months]
    )


EMPTY_COVERAGE = {"planned": 0, "built": 0, "behind": 0}


def coverage_by_district(stations, today: datetime.date, by_district: bool = False) -> dict:
    """Stations planned, built (first contract signed and workers posted, R-PLAN-2) and behind their plan year,
    counted in the database: two queries (all stations; the built ones, found by semi-joins), as totals or per
    district id."""
    due = Q(street__planned_year__lt=today.year)  # planned for a year already over
    counts = {"n": Count("pk"), "n_due": Count("pk", filter=due)}

    def grouped(queryset) -> dict:
        if not by_district:
            return {None: queryset.order_by().aggregate(**counts)}
        rows = queryset.order_by().values("street__district").annotate(**counts)
        return {row["street__district"]: row for row in rows}

    all_rows, built_rows = grouped(stations), grouped(built(stations))
    result = {}
    for key, row in all_rows.items():
        done = built_rows.get(key, {"n": 0, "n_due": 0})
        result[key] = {"planned": row["n"], "built": done["n"], "behind": row["n_due"] - done["n_due"]}
    return result if by_district else result[None]


def grades_by_district(evaluations) -> dict[int, dict[str, int]]:
    """Signed year-end evaluation results per district and grade (R-EVAL-1, -2), counted in the database."""
    rows = (
        evaluations.filter(
            kind=Evaluation.Kind.FINAL, street_signed_at__isnull=False, bureau_signed_at__isnull=False
        )
        .exclude(grade="")
        .order_by()
        .values("contract_year__station__street__district", "grade")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        result.setdefault(row["contract_year__station__street__district"], {})[row["grade"]] = row["n"]
    return result


# --- When each report is due, from the policy parameters in force (R-REP-1, R-REP-2, R-REP-4) --------------


def midterm_report_due(start: datetime.date) -> datetime.date:
    """R-REP-2: the mid-term report is due at mid-year: the last day of the contract year's sixth month."""
    return add_months(start, 6) - datetime.timedelta(days=1)


def final_report_due(end: datetime.date) -> datetime.date:
    """R-REP-2: the final report is due at the contract year's end."""
    return end


def service_plan_due(start: datetime.date) -> datetime.date:
    """R-REP-4: the needs survey and service plan are due one month (param) into the contract year."""
    months = int_parameter(ParameterKey.SERVICE_PLAN_WITHIN_MONTHS, start)
    return add_months(start, months) - datetime.timedelta(days=1)


def report_due(contract_year: ContractYear, kind: str, period: datetime.date | None) -> datetime.date:
    match kind:
        case Report.Kind.MONTHLY:
            return brief_due(period)
        case Report.Kind.MIDTERM:
            return midterm_report_due(contract_year.start_date)
        case Report.Kind.FINAL:
            return final_report_due(contract_year.planned_end_date)
        case Report.Kind.SERVICE_PLAN:
            return service_plan_due(contract_year.start_date)
    raise ValidationError({"kind": _("未知的报告类别。")})


def submitted_late(due_date: datetime.date, submitted_at: datetime.datetime) -> bool:
    """Submitted after its due date, counted in Asia/Shanghai days."""
    return timezone.localtime(submitted_at).date() > due_date


def is_late(report: Report) -> bool:
    """Submitted after its due date (or not yet submitted and past it), in Asia/Shanghai days."""
    if report.submitted_at is None:
        return timezone.localdate() > report.due_date
    return submitted_late(report.due_date, report.submitted_at)


def years_to_report(user, today: datetime.date):
    """The contract years a contractor reports on: begun, of a cycle it holds now or that ended no earlier than the
    start of last month (whose last brief may still be owed); newest first. A station it lost is not offered."""
    since = add_months(today.replace(day=1), -1)
    return (
        ContractYear.objects.visible_to(user)
        .filter(start_date__lte=today, cycle__end_date__gte=since)
        .select_related("station")
        .order_by("-start_date", "station__name")
    )


def existing_report(user, asked) -> Report | None:
    """The report `asked` names (year, kind and, for a brief, period as yyyy-mm) when it exists and the user may
    see it; None when the query names none or names it badly."""
    year, kind, period = asked.get("year", ""), asked.get("kind", ""), asked.get("period", "")
    if not year.isascii() or not year.isdigit() or kind not in Report.Kind.values:
        return None
    lookup = {"contract_year_id": int(year), "kind": kind, "period": None}
    if kind == Report.Kind.MONTHLY:
        try:
            lookup["period"] = datetime.date.fromisoformat(f"{period[:7]}-01")
        except ValueError:
            return None
    return Report.objects.visible_to(user).filter(**lookup).first()
