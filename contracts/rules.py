"""Compliance checks of money, cycles and contractors (R-FUND-1..3, R-CYCLE-1, R-PROC-2, R-PROC-3)."""

import datetime
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from contracts.models import (
    BudgetLine,
    ContractYear,
    EligibilityEvidence,
    FundingAllocation,
    ProjectCycle,
    year_label,
)
from contracts.selectors import conditions_missing
from core.findings import Finding, Responsible, register
from core.models import ParameterKey
from core.parameters import timeline
from core.policy import Severity
from core.text import gettext as _
from core.text import phrase, sentences

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
    above, below = _("超过"), _("低于")
    subject, template = (
        _("{label}合同金额"),
        _("合同金额¥{amount:,.2f}{text}年度资金标准¥{standard:,.2f}（力争达到25万元）。"),
    )
    for station_id, station_name, start, end, signed_on, amount in (
        current_years(stations, today)
        .order_by()
        .values_list("station_id", "station__name", "start_date", "end_date", "signed_on", "amount")
    ):
        standard = cap.on(signed_on)
        if amount > standard:
            severity, text = Severity.ERROR, above
        elif amount < standard:
            severity, text = Severity.WARN, below
        else:
            continue
        yield Finding(
            rule_id="R-FUND-1",
            severity=severity,
            station_id=station_id,
            station=station_name,
            subject=subject.format(label=year_label(start, end)),
            message=template.format(amount=amount, text=text, standard=standard),
            responsible=Responsible.BUREAU,
        )


@register("R-FUND-2", "R-FUND-3")
def money_adds_up(stations, today: datetime.date):
    """Every contract year's five budget lines and its funding sources add up to its amount."""
    years = (
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .annotate(budget_total=_sum_of(BudgetLine), funding_total=_sum_of(FundingAllocation))
        .order_by()
        .values_list(
            "station_id", "station__name", "start_date", "end_date", "amount", "budget_total", "funding_total"
        )
    )
    lines, sources = _("五类经费科目"), _("资金来源")
    template = _("{what}合计¥{total:,.2f}，与合同金额¥{amount:,.2f}不一致。")
    for station_id, station_name, start, end, amount, budget_total, funding_total in years:
        for rule_id, total, what in (("R-FUND-2", budget_total, lines), ("R-FUND-3", funding_total, sources)):
            if total != amount:
                yield Finding(
                    rule_id=rule_id,
                    severity=Severity.ERROR,
                    station_id=station_id,
                    station=station_name,
                    subject=phrase(year_label(start, end), what),
                    message=template.format(what=what, total=total, amount=amount),
                    responsible=Responsible.BUREAU,
                )


@register("R-CYCLE-1")
def cycles_hold_their_years(stations, today: datetime.date):
    """A cycle has at most three (param) contract years, consecutive and without gaps."""
    limit = timeline(ParameterKey.CYCLE_YEARS)
    by_cycle = defaultdict(list)
    for cycle_id, start, end in (
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .order_by("cycle_id", "start_date")
        .values_list("cycle_id", "start_date", "end_date")
    ):
        by_cycle[cycle_id].append((start, end))
    for cycle in (
        ProjectCycle.objects.filter(pk__any=list(by_cycle))
        .select_related("station")
        .only("start_date", "planned_end_date", "station__name")
        .order_by()
    ):
        years = by_cycle[cycle.pk]
        problems = []
        if len(years) > limit.int_on(cycle.start_date):
            problems.append(
                _("签订了{n_years}个合同年度，超过{int_on}年一个周期").format(
                    n_years=len(years), int_on=limit.int_on(cycle.start_date)
                )
            )
        if years[0][0] != cycle.start_date:
            problems.append(_("首个合同年度未从周期开始日起算"))
        for earlier, later in pairwise(years):
            if later[0] != earlier[1] + datetime.timedelta(days=1):
                problems.append(
                    _("{label}与{label2}之间不连续").format(
                        label=year_label(*earlier), label2=year_label(*later)
                    )
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
    cycles = list(
        ProjectCycle.objects.filter(
            station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
        )
        .order_by()
        .values_list(
            "station_id",
            "station__name",
            "contractor_id",
            "contractor__name",
            "procurement__agreement_signed_on",
            "procurement__project_no",
        )
    )
    evidence = defaultdict(list)
    for contractor_id, *row in (
        EligibilityEvidence.objects.filter(contractor__any=sorted({c[2] for c in cycles}))
        .order_by()
        .values_list("contractor_id", "condition", "verified_on", "valid_until")
    ):
        evidence[contractor_id].append(row)
    missing_of = {}  # one contractor holds many stations: judged once
    eligibility_subject, eligibility_message = _("承接条件"), _("{name}缺少有效的承接条件证明：{missing}。")
    agreement_subject, agreement_message = _("服务协议"), _("采购项目{project_no}未登记服务协议签订日期。")
    for station_id, station_name, contractor_id, contractor_name, agreement_signed_on, project_no in cycles:
        if contractor_id not in missing_of:
            missing_of[contractor_id] = conditions_missing(evidence[contractor_id], today)
        missing = missing_of[contractor_id]
        if missing:
            yield Finding(
                rule_id="R-PROC-2",
                severity=Severity.ERROR,
                station_id=station_id,
                station=station_name,
                subject=eligibility_subject,
                message=eligibility_message.format(name=contractor_name, missing=sentences(missing)),
                responsible=Responsible.BUREAU,
                contractor_id=contractor_id,
            )
        if agreement_signed_on is None:
            yield Finding(
                rule_id="R-PROC-3",
                severity=Severity.TRACK,
                station_id=station_id,
                station=station_name,
                subject=agreement_subject,
                message=agreement_message.format(project_no=project_no),
                responsible=Responsible.BUREAU,
            )
