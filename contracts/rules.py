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
    Procurement,
    ProjectCycle,
    year_label,
)
from contracts.selectors import conditions_missing
from core.dates import add_years
from core.findings import Finding, Responsible, register
from core.models import ParameterKey
from core.parameters import timeline
from core.policy import Severity
from core.text import gettext as _
from core.text import listing, phrase, sentences

MONEY = DecimalField(max_digits=14, decimal_places=2)
ONE_DAY = datetime.timedelta(days=1)


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
    """Every contract year, past ones too: a bureau-bought year above the bureau's cap is a breach (it can only be
    there by a direct edit); a street-bought year above it is a risk (the plan's standards are its guidance); any
    year below the standard falls short of the plan's aim (“力争达到”)."""
    cap, standard = timeline(ParameterKey.ANNUAL_AMOUNT_CAP), timeline(ParameterKey.ANNUAL_AMOUNT_STANDARD)
    subject = _("{label}合同金额")
    above_cap = _("合同金额¥{amount:,.2f}超过区民政局的年度预算上限¥{cap:,.2f}（区民政局的预算规定）。")
    above_guidance = _(
        "街道购买的项目参照方案标准执行：合同金额¥{amount:,.2f}高于区民政局的年度预算上限¥{cap:,.2f}。"
    )
    below = _("合同金额¥{amount:,.2f}低于方案的年度资金标准¥{standard:,.2f}（每年力争达到）。")
    for station_id, station_name, start, end, signed_on, amount, purchaser in (
        # Every signed year, past, present and signed ahead.
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .order_by()
        .values_list(
            "station_id",
            "station__name",
            "start_date",
            "planned_end_date",
            "signed_on",
            "amount",
            "cycle__procurement__purchaser",
        )
    ):
        cap_then, standard_then = cap.on(signed_on), standard.on(signed_on)
        if amount > cap_then and purchaser == Procurement.Purchaser.BUREAU:
            severity, message = Severity.ERROR, above_cap.format(amount=amount, cap=cap_then)
        elif amount > cap_then:
            severity, message = Severity.WARN, above_guidance.format(amount=amount, cap=cap_then)
        elif amount < standard_then:
            severity, message = Severity.WARN, below.format(amount=amount, standard=standard_then)
        else:
            continue
        yield Finding(
            rule_id="R-FUND-1",
            severity=severity,
            station_id=station_id,
            station=station_name,
            subject=subject.format(label=year_label(start, end)),
            message=message,
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
    """Every cycle: at most its planned number of contract years (the parameter, or the bureau's recorded longer
    cycle, itself a risk), consecutive and without gaps, each at most twelve months, signed once on a day neither
    after the year ended nor in the future."""
    limit = timeline(ParameterKey.CYCLE_YEARS)
    by_cycle = defaultdict(list)
    for cycle_id, start, planned_end, signed_on in (
        ContractYear.objects.filter(station__in=stations.values("pk"))
        .order_by("cycle_id", "start_date")
        .values_list("cycle_id", "start_date", "planned_end_date", "signed_on")
    ):
        by_cycle[cycle_id].append((start, planned_end, signed_on))
    for cycle in (
        ProjectCycle.objects.filter(station__in=stations.values("pk"))
        .select_related("station", "procurement")
        .only(
            "start_date",
            "planned_end_date",
            "planned_years",
            "longer_reason",
            "station__name",
            "procurement__award_date",
        )
        .order_by()
    ):
        years = by_cycle.get(cycle.pk, [])
        problems = []
        standard = limit.int_on(cycle.procurement.award_date or cycle.start_date)
        if cycle.planned_years > standard:
            yield Finding(
                rule_id="R-CYCLE-1",
                severity=Severity.WARN,
                station_id=cycle.station_id,
                station=cycle.station.name,
                subject=_("项目周期"),
                message=_(
                    "{start_date:%Y}年起的周期为{years}年，长于原则上的{standard}年。原因：{reason}"
                ).format(
                    start_date=cycle.start_date,
                    years=cycle.planned_years,
                    standard=standard,
                    reason=cycle.longer_reason or _("未记录"),
                ),
                responsible=Responsible.BUREAU,
            )
        if len(years) > cycle.planned_years:
            problems.append(
                _("签订了{n_years}个合同年度，超过{int_on}年一个周期").format(
                    n_years=len(years), int_on=cycle.planned_years
                )
            )
        if years and years[0][0] != cycle.start_date:
            problems.append(_("首个合同年度未从周期开始日起算"))
        for start, planned_end, signed_on in years:
            label = year_label(start, planned_end)
            if planned_end > add_years(start, 1) - ONE_DAY:
                problems.append(_("{label}超过十二个月").format(label=label))
            if signed_on > planned_end:
                problems.append(
                    _("{label}在期满后（{signed_on:%Y-%m-%d}）才签订").format(
                        label=label, signed_on=signed_on
                    )
                )
            if signed_on > today:
                problems.append(
                    _("{label}的签订日期{signed_on:%Y-%m-%d}在将来").format(label=label, signed_on=signed_on)
                )
        for earlier, later in pairwise(years):
            if later[0] != earlier[1] + ONE_DAY:
                problems.append(
                    _("{label}与{label2}之间不连续").format(
                        label=year_label(*earlier[:2]), label2=year_label(*later[:2])
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


SIGNED_FIELDS = ("cycle_id", "year_no", "start_date", "planned_end_date", "amount", "signed_on")


@register("R-CYCLE-1")
def contract_years_changed_after_signing(stations, today: datetime.date):
    """A contract year is signed once: its terms as first recorded never change afterwards (only its actual end, when
    the cycle ends early, R-CYCLE-3). A later version with other terms is a signed record changed after signing."""
    history = ContractYear.history.model
    first, changed = {}, {}
    for row in (
        history.objects.filter(station_id__in=stations.values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_type", "station_id", *SIGNED_FIELDS)
    ):
        year_id, kind, station_id, *terms = row
        if year_id not in first:
            first[year_id] = terms
        elif terms != first[year_id] and kind == "~":
            changed[year_id] = (station_id, first[year_id], terms)
    names = dict(  # asked even when nothing changed: the check costs the same two queries whatever the data
        ContractYear.objects.filter(pk__any=sorted(changed)).order_by().values_list("pk", "station__name")
    )
    for year_id, (station_id, was, now) in changed.items():
        fields = [
            str(ContractYear._meta.get_field(name.removesuffix("_id")).verbose_name)
            for name, before, after in zip(SIGNED_FIELDS, was, now, strict=True)
            if before != after
        ]
        yield Finding(
            rule_id="R-CYCLE-1",
            severity=Severity.ERROR,
            station_id=station_id,
            station=names.get(year_id, ""),
            subject=_("{label}合同").format(label=year_label(now[2], now[3])),
            message=_("合同签订后被修改：{fields}与签订时不同。合同一年一签，签订后的条款不应更改。").format(
                fields=listing(fields)
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
            "contractor__credit_code",
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
    for (
        station_id,
        station_name,
        contractor_id,
        contractor_name,
        code,
        agreement_signed_on,
        project_no,
    ) in cycles:
        if contractor_id not in missing_of:
            missing_of[contractor_id] = conditions_missing(evidence[contractor_id], today, credit_code=code)
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
