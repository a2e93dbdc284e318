"""Compliance checks of money, cycles and contractors (R-FUND-1..3, R-CYCLE-1, R-PROC-2, R-PROC-3)."""

import datetime
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.findings import Finding, Responsible, register
from accounts.models import ParameterKey
from accounts.parameters import timeline
from accounts.policy import Severity
from accounts.text import phrase, sentences
from contracts.models import BudgetLine, ContractYear, FundingAllocation, ProjectCycle
from contracts.services import eligibility_missing

MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(model, field_name: str = "amount"):
    total = (
        model.objects.filter(contract_year=OuterRef("pk"))
        .order_by()
        .values("contract_year")
        .annotate(total=Sum(field_name))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal("0")), output_field=MONEY)


def current_years(stations, today: datetime.date):
    return ContractYear.objects.filter(
        station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
    )


@register("R-FUND-1")
def amount_against_standard(stations, today: datetime.date):
    """The contract year in force: above the annual standard is a breach, below it falls short of the aim."""
    cap = timeline(ParameterKey.ANNUAL_AMOUNT_CAP)
    for year in current_years(stations, today).select_related("station", "cycle"):
        standard = cap.on(year.signed_on)
        if year.amount > standard:
            severity, text = Severity.ERROR, _("超过")
        elif year.amount < standard:
            severity, text = Severity.WARN, _("低于")
        else:
            continue
        yield Finding(
            rule_id="R-FUND-1",
            severity=severity,
            station_id=year.station_id,
            station=year.station.name,
            subject=_("{label}合同金额").format(label=year.label),
            message=_("合同金额¥{amount:,.2f}{text}年度资金标准¥{standard:,.2f}（力争达到25万元）。").format(
                amount=year.amount, text=text, standard=standard
            ),
            responsible=Responsible.BUREAU,
        )


@register("R-FUND-2", "R-FUND-3")
def money_adds_up(stations, today: datetime.date):
    """Every contract year's five budget lines and its funding sources add up to its amount."""
    years = (
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .annotate(budget_total=_sum_of(BudgetLine), funding_total=_sum_of(FundingAllocation))
        .select_related("station")
    )
    for year in years:
        for rule_id, total, what in (
            ("R-FUND-2", year.budget_total, _("五类经费科目")),
            ("R-FUND-3", year.funding_total, _("资金来源")),
        ):
            if total != year.amount:
                yield Finding(
                    rule_id=rule_id,
                    severity=Severity.ERROR,
                    station_id=year.station_id,
                    station=year.station.name,
                    subject=phrase(year.label, what),
                    message=_("{what}合计¥{total:,.2f}，与合同金额¥{amount:,.2f}不一致。").format(
                        what=what, total=total, amount=year.amount
                    ),
                    responsible=Responsible.BUREAU,
                )


@register("R-CYCLE-1")
def cycles_hold_their_years(stations, today: datetime.date):
    """A cycle has at most three (param) contract years, consecutive and without gaps."""
    limit = timeline(ParameterKey.CYCLE_YEARS)
    by_cycle = defaultdict(list)
    for year in ContractYear.objects.filter(station__in=stations.values("pk")).order_by(
        "cycle_id", "start_date"
    ):
        by_cycle[year.cycle_id].append(year)
    for cycle in ProjectCycle.objects.filter(pk__in=by_cycle).select_related("station"):
        years = by_cycle[cycle.pk]
        problems = []
        if len(years) > limit.int_on(cycle.start_date):
            problems.append(
                _("签订了{n_years}个合同年度，超过{int_on}年一个周期").format(
                    n_years=len(years), int_on=limit.int_on(cycle.start_date)
                )
            )
        if years[0].start_date != cycle.start_date:
            problems.append(_("首个合同年度未从周期开始日起算"))
        for earlier, later in pairwise(years):
            if later.start_date != earlier.end_date + datetime.timedelta(days=1):
                problems.append(
                    _("{label}与{label2}之间不连续").format(label=earlier.label, label2=later.label)
                )
        for problem in problems:
            yield Finding(
                rule_id="R-CYCLE-1",
                severity=Severity.ERROR,
                station_id=cycle.station_id,
                station=cycle.station.name,
                subject=_("项目周期"),
                message=_("{start_date:%Y}—{planned_end_date:%Y}周期{problem}。").format(
                    start_date=cycle.start_date, planned_end_date=cycle.planned_end_date, problem=problem
                ),
                responsible=Responsible.BUREAU,
            )


@register("R-PROC-2", "R-PROC-3")
def holders_eligible_and_procured(stations, today: datetime.date):
    """The contractor holding each station still has verified evidence of the three conditions, and its
    cycle rests on a recorded procurement with a signed service agreement."""
    cycles = (
        ProjectCycle.objects.filter(
            station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
        )
        .select_related("station", "contractor", "procurement")
        .prefetch_related("contractor__evidence")
    )
    for cycle in cycles:
        missing = eligibility_missing(cycle.contractor, today)
        if missing:
            yield Finding(
                rule_id="R-PROC-2",
                severity=Severity.ERROR,
                station_id=cycle.station_id,
                station=cycle.station.name,
                subject=_("承接条件"),
                message=_("{name}缺少有效的承接条件证明：{missing}。").format(
                    name=cycle.contractor.name, missing=sentences(missing)
                ),
                responsible=Responsible.BUREAU,
                contractor_id=cycle.contractor_id,
            )
        if cycle.procurement.agreement_signed_on is None:
            yield Finding(
                rule_id="R-PROC-3",
                severity=Severity.TRACK,
                station_id=cycle.station_id,
                station=cycle.station.name,
                subject=_("服务协议"),
                message=_("采购项目{project_no}未登记服务协议签订日期。").format(
                    project_no=cycle.procurement.project_no
                ),
                responsible=Responsible.BUREAU,
            )
