"""Procurement, award, contract years and cycle ends: the writes that must refuse what the policy forbids.

Every function is keyword-only, runs in one transaction, checks the actor's role and scope, and
raises ValidationError naming the rule (R-…) and quoting its clause when the policy says no.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from contracts.models import (
    BudgetLine,
    Contractor,
    ContractYear,
    EligibilityCondition,
    EligibilityDocument,
    EligibilityEvidence,
    FundingAllocation,
    Procurement,
    ProjectCycle,
)
from contracts.selectors import eligibility_missing
from core.dates import add_years
from core.models import ParameterKey
from core.parameters import int_parameter, parameter
from core.permissions import require_role, require_visible
from core.policy import refusal
from core.text import listing, sentences
from stations.models import Station

CENT = Decimal("0.01")


@transaction.atomic
def contractor_register(*, actor, **fields) -> Contractor:
    """The bureau registers a social-work organisation that takes part in procurements (承接主体)."""
    require_role(actor, Role.BUREAU)
    fields["credit_code"] = fields.get("credit_code", "").strip().upper()
    if len(fields["credit_code"]) != 18:
        raise ValidationError({"credit_code": _("统一社会信用代码应为18位。")})
    contractor = Contractor(**fields)
    contractor.full_clean()
    contractor.save()
    return contractor


@transaction.atomic
def eligibility_verify(
    *,
    contractor: Contractor,
    condition: str,
    evidence: str,
    verified_on: datetime.date,
    actor,
    reference: str = "",
    valid_until: datetime.date | None = None,
    documents=(),
) -> EligibilityEvidence:
    """R-PROC-2: the bureau records the evidence of one condition, the document behind it (a scan, checked by
    content) and the day it verified it — not a future day. Condition 1 asks for a social organisation registered
    with civil affairs: a unified social credit code that begins with 5 (a company's begins with 9)."""
    from core.uploads import DOCUMENTS, check_upload, files_removed_on_failure, save_stored_file

    require_role(actor, Role.BUREAU)
    if not evidence.strip():
        raise refusal("R-PROC-2", _("请填写证明材料。"), field="evidence")
    if verified_on is None or verified_on > timezone.localdate():
        raise refusal("R-PROC-2", _("核验日期不能是将来的日期。"), field="verified_on")
    if condition == EligibilityCondition.REGISTRATION and not contractor.is_social_organisation:
        raise refusal(
            "R-PROC-2",
            _(
                "{name}的统一社会信用代码以“{first}”开头，不是在民政部门登记的社会组织（应以“5”开头），"
                "不满足条件1。"
            ).format(name=contractor.name, first=contractor.credit_code[:1]),
            field="condition",
        )
    documents = [d for d in documents if d]
    if not documents:
        raise refusal("R-PROC-2", _("请上传证明文件（扫描件或照片）。"), field="documents")
    checked = [(upload, check_upload(upload, allowed=DOCUMENTS, field="documents")) for upload in documents]
    record = EligibilityEvidence(
        contractor=contractor,
        condition=condition,
        evidence=evidence.strip(),
        reference=reference,
        verified_on=verified_on,
        valid_until=valid_until,
        verified_by=actor,
    )
    record.full_clean()
    record.save()
    with files_removed_on_failure() as saved, transaction.atomic():
        for upload, result in checked:
            save_stored_file(EligibilityDocument, upload, result, actor=actor, saved=saved, evidence=record)
    return record


def _may_buy(actor, station: Station, purchaser: str) -> None:
    """R-PROC-1: the purchaser is the district bureau, or the station's own street office."""
    if purchaser not in Procurement.Purchaser.values:
        raise refusal("R-PROC-1", _("购买主体只能是区民政局或街道办事处。"), field="purchaser")
    if actor.role == Role.BUREAU:
        require_visible(actor, station)
        return
    if actor.role == Role.STREET and purchaser == Procurement.Purchaser.STREET:
        require_visible(actor, station)
        return
    raise refusal(
        "R-PROC-1", _("只有区民政局或本街道办事处（以街道为购买主体时）可以组织采购。"), field="purchaser"
    )


@transaction.atomic
def procurement_start(
    *,
    station: Station,
    purchaser: str,
    title: str,
    project_no: str,
    method: str,
    budget_amount: Decimal,
    notice_date: datetime.date,
    actor,
) -> Procurement:
    """Open a procurement for a station's next cycle; after a failed evaluation this is how a new contractor
    is chosen (R-CYCLE-2, R-PROC-3). A station has at most one procurement open at a time."""
    require_role(actor, Role.BUREAU, Role.STREET)
    _may_buy(actor, station, purchaser)
    if Procurement.objects.filter(station=station, status=Procurement.Status.OPEN).exists():
        raise refusal("R-PROC-3", _("该社工站已有正在进行的采购，请先确定结果或取消后再发起。"))
    procurement = Procurement(
        station=station,
        purchaser=purchaser,
        title=title,
        project_no=project_no,
        method=method,
        budget_amount=budget_amount,
        notice_date=notice_date,
    )
    procurement.full_clean()
    procurement.save()
    return procurement


@transaction.atomic
def procurement_award(
    *,
    procurement: Procurement,
    contractor: Contractor,
    award_date: datetime.date,
    cycle_start: datetime.date,
    actor,
    agreement_signed_on: datetime.date | None = None,
    cycle_years: int | None = None,
    longer_reason: str = "",
) -> ProjectCycle:
    """Award a procurement and open the contractor's project cycle (R-PROC-1..3, R-CYCLE-1).

    Refused when the contractor lacks verified evidence of any of the three conditions on the award
    date (R-PROC-2), or when the new cycle would overlap the station's current one.
    """
    require_role(actor, Role.BUREAU, Role.STREET)
    procurement = Procurement.objects.select_for_update().get(pk=procurement.pk)
    _may_buy(actor, procurement.station, procurement.purchaser)
    if procurement.status != Procurement.Status.OPEN:
        raise refusal(
            "R-PROC-3",
            _("该采购状态为“{status}”，不能再确定承接主体。").format(status=procurement.get_status_display()),
        )
    if award_date < procurement.notice_date:
        raise refusal("R-PROC-3", _("中标日期不能早于采购公告日期。"), field="award_date")
    if award_date > timezone.localdate():
        raise refusal("R-PROC-3", _("中标日期不能是将来的日期。"), field="award_date")
    missing = eligibility_missing(contractor, award_date)
    if missing:
        raise refusal(
            "R-PROC-2",
            _("{name}缺少经核验的承接条件：{missing}。").format(
                name=contractor.name, missing=sentences(missing)
            ),
            field="contractor",
        )
    if cycle_start < award_date:
        raise refusal("R-PROC-3", _("项目周期不能早于中标日期开始。"), field="cycle_start")
    standard_years = int_parameter(ParameterKey.CYCLE_YEARS, award_date)
    years = cycle_years or standard_years
    if years < 1:
        raise refusal("R-CYCLE-1", _("项目周期至少一年。"), field="cycle_years")
    if years > standard_years:
        # “原则上”三年: a longer cycle is the bureau's recorded exception, with its reason (shown as a risk).
        if actor.role != Role.BUREAU:
            raise refusal(
                "R-CYCLE-1",
                _("项目周期原则上为{standard}年；更长的周期须由区民政局记录原因后确定。").format(
                    standard=standard_years
                ),
                field="cycle_years",
            )
        if not longer_reason.strip():
            raise refusal(
                "R-CYCLE-1",
                _("项目周期原则上为{standard}年；{years}年的周期须写明原因。").format(
                    standard=standard_years, years=years
                ),
                field="longer_reason",
            )
    planned_end = add_years(cycle_start, years) - datetime.timedelta(days=1)
    overlapping = ProjectCycle.objects.filter(
        station=procurement.station, start_date__lte=planned_end, end_date__gte=cycle_start
    ).first()
    if overlapping is not None:
        raise refusal(
            "R-CYCLE-1",
            _(
                "该社工站{start_date:%Y-%m-%d}至{end_date:%Y-%m-%d}的项目周期尚未结束，新周期不能与之重叠。"
            ).format(start_date=overlapping.start_date, end_date=overlapping.end_date),
            field="cycle_start",
        )
    procurement.status = Procurement.Status.AWARDED
    procurement.awarded_to = contractor
    procurement.award_date = award_date
    procurement.agreement_signed_on = agreement_signed_on
    procurement.full_clean()
    procurement.save()
    cycle = ProjectCycle(
        station=procurement.station,
        contractor=contractor,
        procurement=procurement,
        start_date=cycle_start,
        planned_years=years,
        longer_reason=longer_reason.strip() if years > standard_years else "",
        planned_end_date=planned_end,
        end_date=planned_end,
    )
    cycle.full_clean()
    cycle.save()
    return cycle


def _check_money(
    amount: Decimal, signed_on: datetime.date, budget_lines: dict, funding: dict, *, purchaser: str
) -> None:
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("合同金额必须大于0。")})
    # The cap in force on the signing day — and no higher than today's: a contract recorded now and dated back to an
    # older, higher cap would dodge a cut the bureau has already decided.
    cap = min(
        parameter(ParameterKey.ANNUAL_AMOUNT_CAP, signed_on),
        parameter(ParameterKey.ANNUAL_AMOUNT_CAP, timezone.localdate()),
    )
    # R-FUND-1: the bureau's own budget cap binds what the bureau buys; a street office follows the plan's
    # standards as guidance (三（一）“有关标准可参照本方案执行”), so above the cap is a risk there, not a refusal.
    if amount > cap and purchaser == Procurement.Purchaser.BUREAU:
        raise refusal(
            "R-FUND-1",
            _(
                "合同金额¥{amount:,.2f}超过区民政局的年度预算上限¥{cap:,.2f}。该上限是区民政局的预算规定，"
                "以方案的资金标准为依据；方案本身要求的是每年“力争达到”该标准，并非上限。"
            ).format(amount=amount, cap=cap),
            field="amount",
        )
    if set(budget_lines) != set(BudgetLine.Line.values):
        absent = [str(text) for value, text in BudgetLine.Line.choices if value not in budget_lines]
        raise refusal(
            "R-FUND-2",
            _("请填写全部五类经费科目，缺少：{absent}。").format(absent=listing(absent)),
            field="budget_lines",
        )
    if any(value is None or value < 0 for value in budget_lines.values()):
        raise refusal("R-FUND-2", _("经费科目金额不能为负数。"), field="budget_lines")
    budget_total = sum(budget_lines.values(), Decimal("0"))
    if budget_total.quantize(CENT) != Decimal(amount).quantize(CENT):
        raise refusal(
            "R-FUND-2",
            _("五类经费科目合计¥{budget_total:,.2f}，与合同金额¥{amount:,.2f}不一致。").format(
                budget_total=budget_total, amount=amount
            ),
            field="budget_lines",
        )
    if not funding or any(source not in FundingAllocation.Source.values for source in funding):
        raise refusal("R-FUND-3", _("请至少填写一项资金来源。"), field="funding")
    if any(value is None or value < 0 for value in funding.values()):
        raise refusal("R-FUND-3", _("资金来源金额不能为负数。"), field="funding")
    funding_total = sum(funding.values(), Decimal("0"))
    if funding_total.quantize(CENT) != Decimal(amount).quantize(CENT):
        raise refusal(
            "R-FUND-3",
            _("资金来源合计¥{funding_total:,.2f}，与合同金额¥{amount:,.2f}不一致。").format(
                funding_total=funding_total, amount=amount
            ),
            field="funding",
        )


@transaction.atomic
def contract_year_sign(
    *,
    cycle: ProjectCycle,
    amount: Decimal,
    signed_on: datetime.date,
    budget_lines: dict[str, Decimal],
    funding: dict[str, Decimal],
    actor,
    agreement_no: str = "",
    headcount: int | None = None,
) -> ContractYear:
    """Sign the next contract year of a cycle (R-CYCLE-1, R-FUND-1..3).

    The year follows the previous one without gap or overlap and lasts one year; a cycle has at most
    `cycle_years` (param) of them. A second or third year needs the renewal decided after a passing,
    signed evaluation (R-CYCLE-2): evaluations.services.contract_year_renew decides it and calls this.
    """
    require_role(actor, Role.BUREAU)
    require_visible(actor, cycle.station)
    cycle = ProjectCycle.objects.select_for_update().get(pk=cycle.pk)
    previous = cycle.years.order_by("-year_no").first()
    year_no = previous.year_no + 1 if previous else 1
    limit = cycle.planned_years
    if year_no > limit:
        raise refusal(
            "R-CYCLE-1",
            _("该项目周期已签订{limit}个合同年度，周期届满，须重新采购确定承接主体。").format(limit=limit),
        )
    start = previous.end_date + datetime.timedelta(days=1) if previous else cycle.start_date
    end = add_years(start, 1) - datetime.timedelta(days=1)  # at most twelve months
    if cycle.end_date < cycle.planned_end_date or end > cycle.end_date:
        raise refusal(
            "R-CYCLE-1",
            _("项目周期已于{end_date:%Y-%m-%d}结束，不能再签订合同年度。").format(end_date=cycle.end_date),
        )
    if (
        previous is not None
        and not ContractYear.objects.filter(pk=previous.pk, renewal__decision="renew").exists()
    ):
        raise refusal(
            "R-CYCLE-2",
            _("{label}尚无续签决定：续签须以双方签字且结果为良好或合格（含优秀）的年度评估为依据。").format(
                label=previous.label
            ),
        )
    today = timezone.localdate()
    if signed_on is None or signed_on > today:
        raise refusal("R-CYCLE-1", _("签订日期不能是将来的日期。"), field="signed_on")
    awarded = cycle.procurement.award_date
    if awarded and signed_on < awarded:
        raise refusal(
            "R-CYCLE-1",
            _("签订日期不能早于中标日期{awarded:%Y-%m-%d}。").format(awarded=awarded),
            field="signed_on",
        )
    if signed_on > end:
        raise refusal(
            "R-CYCLE-1",
            _("该合同年度已于{end:%Y-%m-%d}期满，不能在期满后补签（签订日期{signed_on:%Y-%m-%d}）。").format(
                end=end, signed_on=signed_on
            ),
            field="signed_on",
        )
    _check_money(Decimal(amount), signed_on, budget_lines, funding, purchaser=cycle.procurement.purchaser)
    if headcount is None:
        headcount = int_parameter(ParameterKey.RESIDENT_WORKERS_MIN, signed_on)
    if headcount < 1:
        raise refusal("R-STAFF-7", _("合同约定的驻站社工人数至少为1名。"), field="headcount")
    year = ContractYear(
        headcount=headcount,
        cycle=cycle,
        station=cycle.station,
        year_no=year_no,
        start_date=start,
        planned_end_date=end,
        end_date=end,
        amount=amount,
        signed_on=signed_on,
        agreement_no=agreement_no,
        signed_by=actor,
    )
    year.full_clean()
    year.save()
    BudgetLine.objects.bulk_create(
        BudgetLine(contract_year=year, line=line, amount=value) for line, value in budget_lines.items()
    )
    FundingAllocation.objects.bulk_create(
        FundingAllocation(contract_year=year, source=source, amount=value)
        for source, value in funding.items()
    )
    return year


@transaction.atomic
def cycle_end(
    *, cycle: ProjectCycle, end_date: datetime.date, reason: str, actor, note: str = ""
) -> ProjectCycle:
    """End a cycle on a day: at its last contract year's end, or earlier (R-CYCLE-3) — termination, a failed
    evaluation, the contractor's withdrawal. The contract year in force that day ends with it (its planned end is
    kept beside); nothing falls due after it, and the station can be procured again from the next day.

    Ending early for any cause but a failed evaluation needs a reason (R-CYCLE-2: a passing year is renewed)."""
    require_role(actor, Role.BUREAU)
    require_visible(actor, cycle.station)
    cycle = ProjectCycle.objects.select_for_update().get(pk=cycle.pk)
    if reason not in ProjectCycle.EndReason.values:
        raise ValidationError({"end_reason": _("请选择结束原因。")})
    if cycle.end_date < cycle.planned_end_date:
        raise refusal(
            "R-CYCLE-3",
            _("该项目周期已于{end_date:%Y-%m-%d}结束。").format(end_date=cycle.end_date),
        )
    if not cycle.start_date <= end_date <= cycle.planned_end_date:
        raise refusal(
            "R-CYCLE-3",
            _("结束日期应在项目周期{start:%Y-%m-%d}至{end:%Y-%m-%d}之内。").format(
                start=cycle.start_date, end=cycle.planned_end_date
            ),
            field="end_date",
        )
    years = list(cycle.years.select_for_update().order_by("start_date"))
    if any(year.start_date > end_date for year in years):
        raise refusal(
            "R-CYCLE-3",
            _("{end_date:%Y-%m-%d}之后已签订合同年度，不能在此之前结束项目周期。").format(end_date=end_date),
            field="end_date",
        )
    in_force = next((y for y in years if y.start_date <= end_date <= y.planned_end_date), None)
    early = end_date < cycle.planned_end_date
    if (
        in_force is not None
        and end_date < in_force.planned_end_date
        and reason == ProjectCycle.EndReason.COMPLETED
    ):
        raise refusal(
            "R-CYCLE-3", _("合同年度尚未期满，提前结束须选择“提前终止”或“评估不合格”。"), field="end_reason"
        )
    if early and reason != ProjectCycle.EndReason.FAILED_EVALUATION and not note.strip():
        # A cycle ended before its term without a failed evaluation: the bureau says why (R-CYCLE-2: a passing
        # year is renewed, so ending after one is an exception with its reason).
        raise refusal("R-CYCLE-2", _("请写明提前结束项目周期的原因。"), field="note")
    if in_force is not None and in_force.end_date != end_date:
        in_force.end_date = end_date
        in_force.full_clean()
        in_force.save(update_fields=["end_date"])
    cycle.end_date = end_date
    cycle.end_reason = reason
    cycle.end_note = note.strip()
    cycle.full_clean()
    cycle.save()
    return cycle
