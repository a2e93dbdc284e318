"""Compliance checks of reports and services (R-REP-1..5, R-SVC-1)."""

import datetime
from typing import NamedTuple

from django.db.models import Max

from contracts.models import ContractYear, year_label
from core.dates import months_between
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.policy import Severity
from core.text import gettext as _
from core.text import listing, phrase
from reports.models import Report, ServiceRecord
from reports.selectors import not_built, report_due
from stations.selectors import operating_on

# The bureau reviews a submitted report within this many days (R-REP-3; the portal's practice).
REVIEW_WITHIN_DAYS = 10
# A station with no service recorded for this many days is flagged (R-SVC-1).
SERVICE_GAP_DAYS = 30
RECEIVED = (Report.Status.SUBMITTED, Report.Status.ACCEPTED, Report.Status.RETURNED)


@register("R-PLAN-2")
def stations_behind_plan(stations, today: datetime.date):
    """A street whose scheduled year has ended without a built station is behind the plan."""
    due = stations.filter(street__planned_year__lt=today.year).order_by()
    fields = ("pk", "name", "street__planned_year", "street__district__plan__full_coverage_by")
    # Not built = no signed contract, or no posting: each an anti-join the database runs through the stations'
    # indexes for a district and by hashing for a province (one NOT (A AND B) would scan both tables whole).
    unsigned, unposted = not_built(due)
    behind = unsigned.values_list(*fields).union(unposted.values_list(*fields)).order_by()
    template = _("按建设计划应于{planned_year}年度建成，至今尚未签订合同并派驻社工{coverage}。")
    for station_id, name, planned_year, full_coverage_by in behind:
        coverage = (
            _("，全区应于{full_coverage_by:%Y年%-m月%-d日}前实现全覆盖").format(
                full_coverage_by=full_coverage_by
            )
            if full_coverage_by
            else ""
        )
        yield Finding(
            rule_id="R-PLAN-2",
            severity=Severity.WARN,
            station_id=station_id,
            station=name,
            subject=_("建设进度"),
            message=template.format(planned_year=planned_year, coverage=coverage),
            due=datetime.date(planned_year, 12, 31),
            responsible=Responsible.BUREAU,
        )


class OwedYear(NamedTuple):
    """A contract year as the report checks read it: a plain row, not a model instance."""

    pk: int
    station_id: int
    station_name: str
    contractor_id: int
    start_date: datetime.date
    end_date: datetime.date  # the actual end (R-CYCLE-3: earlier than planned when the cycle ended early)
    label: str
    planned_end_date: datetime.date


def owed_reports(stations, today: datetime.date, until: datetime.date):
    """Every report owed by contract years still followed, due on or before `until`: (year, kind, period, due,
    the status of the report if one exists, else None). A year that ended early (R-CYCLE-3) owes nothing that falls
    due after its actual end: neither the briefs of the months after it nor its final report."""
    labels = {}  # the year's label, translated once per pair of dates
    years = []
    for pk, station_id, station_name, contractor_id, start, end, planned_end in (
        ContractYear.objects.filter(
            station__in=stations.values("pk"),
            start_date__lte=until,
        )
        .order_by()
        .values_list(
            "pk",
            "station_id",
            "station__name",
            "cycle__contractor_id",
            "start_date",
            "end_date",
            "planned_end_date",
        )
    ):
        if (start, planned_end) not in labels:
            labels[start, planned_end] = year_label(start, planned_end)
        years.append(
            OwedYear(
                pk,
                station_id,
                station_name,
                contractor_id,
                start,
                end,
                labels[start, planned_end],
                planned_end,
            )
        )
    # Only the status of each existing report is needed: plain tuples (a province has millions of briefs).
    existing = {
        (year_id, kind, period): status
        for year_id, kind, period, status in Report.objects.filter(contract_year__any=[y.pk for y in years])
        .order_by()
        .values_list("contract_year_id", "kind", "period", "status")
    }
    # Years with the same dates owe the same months by the same days (R-REP-1): computed once per pair of dates.
    briefs_of = {}
    for year in years:
        # Nothing falls due after a year's actual end when it ended early (R-CYCLE-3); a full year's final
        # report is due on its last day.
        last_due = year.end_date if year.end_date < year.planned_end_date else datetime.date.max
        for kind in (Report.Kind.SERVICE_PLAN, Report.Kind.MIDTERM, Report.Kind.FINAL):
            due = report_due(year, kind, None)
            if due <= until and due <= last_due:
                yield year, kind, None, due, existing.get((year.pk, kind, None))
        briefs = briefs_of.get((year.start_date, year.end_date))
        if briefs is None:
            briefs = briefs_of[year.start_date, year.end_date] = [
                (month, report_due(year, Report.Kind.MONTHLY, month))
                for month in months_between(year.start_date, year.end_date)
            ]
        for month, due in briefs:
            if due <= until and due <= last_due:
                yield (
                    year,
                    Report.Kind.MONTHLY,
                    month,
                    due,
                    existing.get((year.pk, Report.Kind.MONTHLY, month)),
                )


def _label(kind: str, period) -> str:
    return (
        _("{period:%Y年%-m月}月度工作简报").format(period=period) if period else str(Report.Kind(kind).label)
    )


RULE_OF_KIND = {
    Report.Kind.MONTHLY: ("R-REP-1", Severity.ERROR),
    Report.Kind.MIDTERM: ("R-REP-2", Severity.ERROR),
    Report.Kind.FINAL: ("R-REP-2", Severity.ERROR),
    Report.Kind.SERVICE_PLAN: ("R-REP-4", Severity.WARN),
}


@register("R-REP-1", "R-REP-2", "R-REP-4")
def reports_overdue(stations, today: datetime.date):
    """Briefs due by the 5th of the next month, mid-term and final reports, the year's service plan."""
    not_submitted, still_draft = _("尚未提交"), _("仍为草稿")
    template = _("{label}{label2}应于{due:%Y-%m-%d}前提交，{state}，已逾期{days}天。")
    labels = {}  # each kind and month's label, translated once
    for year, kind, period, due, status in owed_reports(stations, today, today - datetime.timedelta(days=1)):
        if status in RECEIVED:
            continue
        rule_id, severity = RULE_OF_KIND[kind]
        label = labels.get((kind, period))
        if label is None:
            label = labels[kind, period] = _label(kind, period)
        yield Finding(
            rule_id,
            severity,
            year.station_id,
            year.station_name,
            subject=label,
            due=due,
            message=template.format(
                label=year.label,
                label2=label,
                due=due,
                state=not_submitted if status is None else still_draft,
                days=(today - due).days,
            ),
            responsible=Responsible.CONTRACTOR,
            contractor_id=year.contractor_id,
            target=owed_target(year, kind, period),
        )


def owed_target(year, kind: str, period) -> tuple:
    """The new-report page for an owed report: it opens the report when one exists already."""
    query = (("year", year.pk), ("kind", kind)) + ((("period", f"{period:%Y-%m}"),) if period else ())
    return ("report-new", (), query)


@register_upcoming
def reports_due(stations, today: datetime.date, horizon: datetime.date):
    for year, kind, period, due, status in owed_reports(stations, today, horizon):
        if due >= today and status in (None, Report.Status.DRAFT):
            yield DueItem(
                RULE_OF_KIND[kind][0],
                year.station_id,
                year.station_name,
                phrase(year.label, _label(kind, period)),
                due,
                Responsible.CONTRACTOR,
                year.contractor_id,
                target=owed_target(year, kind, period),
            )


def _reports_of(stations, *fields, **filters):
    """Reports with what a finding about them names (str(report), the station, the contractor) and the `fields`
    a check reads; unordered."""
    return (
        Report.objects.filter(contract_year__station__in=stations.values("pk"), **filters)
        .select_related("contract_year__station", "contract_year__cycle")
        .only(
            "kind",
            "period",
            "submitted_at",
            "contract_year__start_date",
            "contract_year__planned_end_date",  # the year's label, in a report's name (str)
            "contract_year__end_date",
            "contract_year__station__name",
            "contract_year__cycle__contractor_id",
            *fields,
        )
        .order_by()
    )


@register("R-REP-3")
def reports_in_review(stations, today: datetime.date):
    """Reports returned and waiting for correction; reports waiting too long for the bureau's review."""
    for report in _reports_of(stations, status=Report.Status.RETURNED):
        year = report.contract_year
        yield Finding(
            "R-REP-3",
            Severity.TRACK,
            year.station_id,
            year.station.name,
            subject=str(report),
            message=_("{label}已退回修改，等待承接主体修改后重新提交。").format(
                label=_label(report.kind, report.period)
            ),
            responsible=Responsible.CONTRACTOR,
            contractor_id=year.cycle.contractor_id,
            target=("report-edit", (report.pk,)),
        )
    late = today - datetime.timedelta(days=REVIEW_WITHIN_DAYS)
    for report in _reports_of(stations, status=Report.Status.SUBMITTED, submitted_at__date__lt=late):
        year = report.contract_year
        yield Finding(
            "R-REP-3",
            Severity.TRACK,
            year.station_id,
            year.station.name,
            subject=str(report),
            message=_("{label}已提交超过{REVIEW_WITHIN_DAYS}天，尚未审核。").format(
                label=_label(report.kind, report.period), REVIEW_WITHIN_DAYS=REVIEW_WITHIN_DAYS
            ),
            responsible=Responsible.BUREAU,
        )


@register_upcoming
def reviews_due(stations, today: datetime.date, horizon: datetime.date):
    for report in _reports_of(stations, status=Report.Status.SUBMITTED):
        due = report.submitted_at.date() + datetime.timedelta(days=REVIEW_WITHIN_DAYS)
        if today <= due <= horizon:
            year = report.contract_year
            yield DueItem(
                "R-REP-3",
                year.station_id,
                year.station.name,
                _("审核{label}{label2}").format(label=year.label, label2=_label(report.kind, report.period)),
                due,
                Responsible.BUREAU,
            )


@register("R-REP-5")
def final_reports_sum_up(stations, today: datetime.date):
    """An accepted final report carries the experience summary and the news posted during the year."""
    for report in _reports_of(
        stations, "experience_summary", "news_posts", kind=Report.Kind.FINAL, status=Report.Status.ACCEPTED
    ):
        gaps = [
            text
            for missing, text in (
                (not report.experience_summary.strip(), _("经验总结")),
                (report.news_posts == 0, _("动态推送")),
            )
            if missing
        ]
        if gaps:
            year = report.contract_year
            yield Finding(
                "R-REP-5",
                Severity.TRACK,
                year.station_id,
                year.station.name,
                subject=str(report),
                message=_("期末工作报告缺少{gaps}。").format(gaps=listing(gaps)),
                responsible=Responsible.CONTRACTOR,
                contractor_id=year.cycle.contractor_id,
            )


@register("R-SVC-1")
def services_recorded(stations, today: datetime.date):
    """An operating station records its services; none for a month is worth a look."""
    since = today - datetime.timedelta(days=SERVICE_GAP_DAYS)
    last = dict(
        ServiceRecord.objects.filter(station__in=stations.values("pk"))
        .values_list("station")
        .annotate(last=Max("held_on"))
        .order_by()
    )
    for station in operating_on(stations, today).only("pk", "name"):
        latest = last.get(station.pk)
        if latest is None or latest < since:
            when = _("最近一次为{latest:%Y-%m-%d}").format(latest=latest) if latest else _("尚无记录")
            yield Finding(
                "R-SVC-1",
                Severity.TRACK,
                station.pk,
                station.name,
                subject=_("服务记录"),
                message=_("近{SERVICE_GAP_DAYS}天没有登记个案、小组或社区活动服务记录（{when}）。").format(
                    SERVICE_GAP_DAYS=SERVICE_GAP_DAYS, when=when
                ),
                responsible=Responsible.CONTRACTOR,
            )
