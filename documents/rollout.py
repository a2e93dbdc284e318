"""The rollout status of the stations a user may see, as the sheets of one workbook (and the sections of the PDF).

Everything is read within the user's scope (`Station.objects.visible_to`), in a fixed number of queries, and
streamed (`.iterator()`) so that the workbook of a province does not sit in memory.
"""

import datetime

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contracts.models import BudgetLine, ContractYear, FundingAllocation, year_label
from core.findings import findings_rows_sheet
from core.parameters import parameters_cached
from core.text import translations_cached
from core.workbook import Column, Sheet, write_workbook
from documents.chinese import chinese_document
from evaluations.models import Evaluation
from reports.compliance import findings, findings_by_district
from reports.models import Report
from reports.selectors import StationStatus, built_on_of, plan_against_reality, station_rows
from staffing.models import Posting, Qualification
from staffing.selectors import QualificationFacts, resident_postings, team_counts
from stations.selectors import pinned

CHUNK = 2000


def built_status(planned_year: int, built_on: datetime.date | None, today: datetime.date) -> str:
    """R-PLAN-1/2 in words: built in its plan year, built late, behind its plan year, or not yet due."""
    if built_on is not None:
        return "按期建成" if built_on.year <= planned_year else "滞后建成"
    return (
        "滞后未建" if today.year > planned_year else "未到计划年度" if today.year < planned_year else "建设中"
    )


def words(choices) -> dict[str, str]:
    """Choice labels as text once for a whole sheet (each lazy label would be translated again in every row)."""
    return {value: str(text) for value, text in choices}


def plan_sheet(stations, today) -> Sheet:
    statuses = words(StationStatus.LABELS.items())
    # The two days selected, not built_on itself: each subquery then runs once a station.
    stations_and_days = station_rows(stations, today).values_list(
        "street__name",
        "street__planned_year",
        "first_signed",
        "first_posted",
        "name",
        "status",
        "contractor_name",
    )

    def rows():
        for street, year, signed, posted, name, status, contractor in stations_and_days.iterator(CHUNK):
            built_on = built_on_of(signed, posted)
            yield [
                street,
                year,
                built_on,
                built_status(year, built_on, today),
                name,
                statuses[status],
                contractor or "",
            ]

    return Sheet(
        "建设计划",
        [
            Column("街道", 14),
            Column("计划建设年度", 12, "int"),
            Column("建成日期", 12, "date"),
            Column("建成情况", 12),
            Column("社工站", 30),
            Column("当前状态", 14),
            Column("承接主体", 30),
        ],
        rows(),
        note=f"街道社工站建设计划（附件）与建成情况，截至{today:%Y-%m-%d}",
    )


def plan_years_sheet(stations, today) -> Sheet:
    years = plan_against_reality(stations, today)
    return Sheet(
        "年度汇总",
        [
            Column("计划年度", 10, "int"),
            Column("计划建设", 10, "int"),
            Column("已建成", 10, "int"),
            Column("按期建成", 10, "int"),
            Column("滞后未建", 10, "int"),
        ],
        ([y.year, y.planned, y.built, y.on_time, y.behind] for y in years),
        note=f"按计划年度汇总，截至{today:%Y-%m-%d}",
    )


def contracts_sheet(stations, today) -> Sheet:
    lines = list(BudgetLine.Line.choices)
    sources = list(FundingAllocation.Source.choices)

    def amount_of(model, **which):  # one line or source of the year: unique, read through its index
        return Subquery(
            model.objects.filter(contract_year=OuterRef("pk"), **which).order_by().values("amount")[:1]
        )

    years = (
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .annotate(
            **{f"line_{value}": amount_of(BudgetLine, line=value) for value, _ in lines},
            **{f"source_{value}": amount_of(FundingAllocation, source=value) for value, _ in sources},
        )
        .order_by("station__street__planned_year", "station_id", "start_date")
        .values_list(
            "station__name",
            "cycle__contractor__name",
            "start_date",
            "end_date",
            "year_no",
            "signed_on",
            "amount",
            *(f"line_{value}" for value, _ in lines),
            *(f"source_{value}" for value, _ in sources),
        )
    )

    def rows():
        for station, contractor, start, end, year_no, signed_on, amount, *money in years.iterator(CHUNK):
            yield [
                station,
                contractor,
                year_label(start, end),
                year_no,
                start,
                end,
                signed_on,
                amount,
                *money,
            ]

    return Sheet(
        "社工站与合同",
        [
            Column("社工站", 30),
            Column("承接主体", 30),
            Column("合同年度", 14),
            Column("周期内第几年", 8, "int"),
            Column("起始日期", 12, "date"),
            Column("截止日期", 12, "date"),
            Column("签订日期", 12, "date"),
            Column("合同金额（元）", 14, "money"),
            *(Column(f"经费：{name}", 14, "money") for _, name in lines),
            *(Column(f"资金来源：{name}", 14, "money") for _, name in sources),
        ],
        rows(),
        note="每个社工站项目资金每年力争达到25万元（三（四））；金额单位：元",
    )


def workers_sheet(stations, today) -> Sheet:
    # Streamed in the database's order; what R-STAFF-3 needs of these workers is read once, by subqueries.
    postings = resident_postings(stations, today)
    facts = QualificationFacts(postings.values("worker"), stations.values("pk"))
    levels = words(Qualification.Level.choices)

    def rows():
        with parameters_cached():  # the R-STAFF-3 deadlines read their parameters once, not once a worker
            for worker_id, cycle_id, station_id, station_name, name, contractor, start_date in (
                postings.order_by("cycle__station__name", "worker__name", "pk")
                .values_list(
                    "worker_id",
                    "cycle_id",
                    "cycle__station_id",
                    "cycle__station__name",
                    "worker__name",
                    "cycle__contractor__name",
                    "start_date",
                )
                .iterator(CHUNK)
            ):
                yield (
                    station_name,
                    name,
                    contractor,
                    start_date,
                    facts.row(worker_id, cycle_id, station_id, today),
                )

    return Sheet(
        "驻站社工与资质",
        [
            Column("社工站", 30),
            Column("姓名", 10),
            Column("承接主体", 30),
            Column("到岗日期", 12, "date"),
            Column("专业资质", 16),
            Column("取得日期", 12, "date"),
            Column("资质取得期限", 12, "date"),
            Column("剩余天数", 10, "int"),
            Column("培训合格", 10),
        ],
        (
            [
                station_name,
                name,
                contractor,
                start_date,
                levels[r["qualification"].level] if r["qualification"] else "无",
                r["qualification"].obtained_on if r["qualification"] else None,
                r["deadline"],
                r["days_left"],
                "是" if r["trained"] else "否",
            ]
            for station_name, name, contractor, start_date, r in rows()
        ),
        note=f"在岗驻站社工，截至{today:%Y-%m-%d}；资质期限依据四（二）（R-STAFF-3），不含身份证号等个人信息",
    )


def team_counts_sheet(stations, today) -> Sheet:
    """The resident workers of each station as counts and qualifications, naming no one: the workbook of a role
    that does not see people (the municipal bureau)."""
    counts = team_counts(stations, today)
    levels = Qualification.Level.values
    rows = (
        stations.order_by("street__district__code", "street__planned_year", "street_id")
        .values_list("pk", "street__district__name", "name")
        .iterator(CHUNK)
    )
    empty = {"residents": 0, "qualified": 0, "levels": dict.fromkeys(levels, 0)}
    return Sheet(
        "驻站社工人数与资质",
        [
            Column("区", 10),
            Column("社工站", 30),
            Column("驻站社工（名）", 12, "int"),
            Column("具有专业资质（名）", 14, "int"),
            *(Column(str(label), 14, "int") for label in Qualification.Level.labels),
        ],
        (
            [
                district,
                name,
                (c := counts.get(pk, empty))["residents"],
                c["qualified"],
                *(c["levels"][level] for level in levels),
            ]
            for pk, district, name in rows
        ),
        note=f"在岗驻站社工人数，截至{today:%Y-%m-%d}；只含人数和资质，不含个人信息",
    )


def reports_sheet(stations, today) -> Sheet:
    """Monthly briefs per month: due, received (submitted or accepted), received late, overdue now."""
    briefs = (
        Report.objects.filter(contract_year__station__in=stations.values("pk"), kind=Report.Kind.MONTHLY)
        .annotate(month=TruncMonth("period"))
        .values("month")
        .annotate(
            due=Count("pk"),
            received=Count("pk", filter=Q(submitted_at__isnull=False)),
            accepted=Count("pk", filter=Q(status=Report.Status.ACCEPTED)),
            returned=Count("pk", filter=Q(status=Report.Status.RETURNED)),
            overdue=Count("pk", filter=Q(submitted_at__isnull=True, due_date__lt=today)),
            # Submitted after the due day, counted in Asia/Shanghai days (reports.selectors.submitted_late).
            late=Count("pk", filter=Q(submitted_at__date__gt=F("due_date"))),
        )
        .order_by("-month")
    )
    return Sheet(
        "月度简报",
        [
            Column("月份", 10),
            Column("应交", 8, "int"),
            Column("已交", 8, "int"),
            Column("逾期提交", 10, "int"),
            Column("已通过", 8, "int"),
            Column("已退回", 8, "int"),
            Column("逾期未交", 10, "int"),
        ],
        (
            [
                f"{row['month']:%Y-%m}",
                row["due"],
                row["received"],
                row["late"],
                row["accepted"],
                row["returned"],
                row["overdue"],
            ]
            for row in briefs
            if row["month"] is not None
        ),
        note=f"月度工作简报于次月5日前提交（五（三），R-REP-1），截至{today:%Y-%m-%d}",
    )


def evaluations_sheet(stations, today) -> Sheet:
    from evaluations.models import Renewal

    renewal = Renewal.objects.filter(contract_year=OuterRef("contract_year"))
    evaluations = (
        Evaluation.objects.filter(contract_year__station__in=stations.values("pk"))
        .annotate(decision=Subquery(renewal.values("decision")[:1]))
        .order_by(
            "contract_year__station__street__planned_year",
            "contract_year__station_id",
            "contract_year__start_date",
            "kind",
        )
        .values_list(
            "contract_year__station__name",
            "contract_year__cycle__contractor__name",
            "contract_year__start_date",
            "contract_year__end_date",
            "kind",
            "held_on",
            "total_score",
            "grade",
            "street_signed_at",
            "bureau_signed_at",
            "decision",
        )
    )
    decisions, kinds, grades = (
        words(Renewal.Decision.choices),
        words(Evaluation.Kind.choices),
        words(Evaluation.Grade.choices),
    )
    return Sheet(
        "评估与续签",
        [
            Column("社工站", 30),
            Column("承接主体", 30),
            Column("合同年度", 14),
            Column("评估类别", 10),
            Column("评估日期", 12, "date"),
            Column("总分", 8, "money"),
            Column("等次", 8),
            Column("街道签字", 16, "datetime"),
            Column("区民政局签字", 16, "datetime"),
            Column("续签决定", 14),
        ],
        (
            [
                station,
                contractor,
                year_label(start, end),
                kinds[kind],
                held_on,
                total_score,
                grades[grade] if grade else "未评",
                street_signed_at,
                bureau_signed_at,
                decisions.get(decision, "") if kind == Evaluation.Kind.FINAL else "",
            ]
            for station, contractor, start, end, kind, held_on, total_score, grade, street_signed_at, bureau_signed_at, decision in evaluations.iterator(
                CHUNK
            )
        ),
        note="年度评估结果作为续签依据，不合格的不再续签（六（三），R-CYCLE-2）",
    )


def findings_sheet(stations, today, *, people: bool = True) -> Sheet:
    # A district's findings come from the cache the pages share; a city's or a province's are made district by
    # district while the sheet is written (memory stays flat).
    found = (
        findings(stations, today)
        if pinned(stations) is not stations
        else findings_by_district(stations, today)
    )
    if not people:
        found = (f.without_person() for f in found)
    return findings_rows_sheet(found, note=f"合规检查结果，截至{today:%Y-%m-%d}")


@chinese_document
def rollout_sheets(stations, today: datetime.date | None = None, *, people: bool = True) -> list[Sheet]:
    """The sheets of the rollout workbook for the given stations (a user's `Station.objects.visible_to`). Without
    `people` (a role that does not see people, accounts.models.sees_people), workers are counted, not named."""
    return list(_sheets(stations, today or timezone.localdate(), people))


def _sheets(stations, today: datetime.date, people: bool):
    """The sheets one after another, each made when the writer reaches it: the first rows of a province's workbook
    are written (and its job shows progress) before the later sheets' queries have run."""
    yield plan_sheet(stations, today)
    yield plan_years_sheet(stations, today)
    yield contracts_sheet(stations, today)
    yield workers_sheet(stations, today) if people else team_counts_sheet(stations, today)
    yield reports_sheet(stations, today)
    yield evaluations_sheet(stations, today)
    yield findings_sheet(stations, today, people=people)


@chinese_document
def write_rollout_workbook(
    stations, out, today: datetime.date | None = None, *, people: bool = True, progress=None
) -> None:
    """Build and write the rollout workbook; its rows are made while writing, so both happen in Chinese (each
    message translated once). `progress(rows)` hears how far the writing is (core.workbook.write_workbook)."""
    with translations_cached():
        write_workbook(_sheets(stations, today or timezone.localdate(), people), out, progress=progress)


def rollout_rows_estimate(stations) -> int:
    """About how many rows the rollout workbook will have (a few counts, read from indexes): the total a job's
    progress is measured against. The plan and findings sheets have about a row per station."""
    in_scope = stations.values("pk")
    count = stations.count()
    return (
        2 * count
        + ContractYear.objects.filter(station__in=in_scope).count()
        + Posting.objects.filter(cycle__station__in=in_scope, end_date__isnull=True).count()
        + Evaluation.objects.filter(contract_year__station__in=in_scope).count()
        + 120  # the plan years and the months of the briefs sheet
    )
