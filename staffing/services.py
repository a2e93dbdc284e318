"""Posting workers and recording their qualifications (R-STAFF-2..5): the writes the policy constrains."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import require_role, require_visible
from accounts.policy import refusal
from contracts.models import ProjectCycle
from staffing.deadlines import posting_deadline
from staffing.models import Posting, Qualification, SocialWorker


def _first_signing(cycle: ProjectCycle) -> datetime.date | None:
    first = cycle.years.order_by("year_no").first()
    return first.signed_on if first else None


@transaction.atomic
def worker_post(
    *,
    cycle: ProjectCycle,
    worker: SocialWorker,
    start_date: datetime.date,
    is_full_time: bool,
    has_labour_contract: bool,
    actor,
    late_reason: str = "",
) -> Posting:
    """Post a worker to a station as a resident social worker (派驻).

    R-STAFF-4: only a full-time employee with a labour contract with the contractor.
    R-STAFF-5: the first workers of a cycle are posted within 15 days of signing its first contract;
    a later start is refused — the bureau alone may record it, with the reason, and the finding stays.
    """
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, cycle)
    if worker.contractor_id != cycle.contractor_id:
        raise refusal("R-STAFF-4", "只能派驻与本承接主体签订劳动合同的社工。", field="worker")
    if not is_full_time:
        raise refusal("R-STAFF-4", "驻站社工应为专职工作人员。", field="is_full_time")
    if not has_labour_contract:
        raise refusal("R-STAFF-4", "驻站社工应与承接主体签订劳动合同。", field="has_labour_contract")
    if worker.left_on and worker.left_on < start_date:
        raise ValidationError({"worker": f"{worker.name}已于{worker.left_on:%Y-%m-%d}离职。"})
    if not (cycle.start_date <= start_date <= cycle.end_date):
        raise refusal(
            "R-CYCLE-1",
            f"到岗日期须在项目周期{cycle.start_date:%Y-%m-%d}至{cycle.end_date:%Y-%m-%d}之内。",
            field="start_date",
        )
    signed_on = _first_signing(cycle)
    if signed_on is None:
        raise refusal("R-STAFF-5", "该项目周期尚未签订合同，签订合同后再派驻社工。")
    is_first_posting = not cycle.postings.exists()
    deadline = posting_deadline(signed_on)
    if is_first_posting and start_date > deadline:
        late_by = (start_date - signed_on).days
        if not (actor.role == Role.BUREAU and late_reason.strip()):
            raise refusal(
                "R-STAFF-5",
                f"合同于{signed_on:%Y-%m-%d}签订，派驻期限为{deadline:%Y-%m-%d}；{start_date:%Y-%m-%d}到岗已是第{late_by}天。",
                field="start_date",
            )
    if (
        Posting.objects.filter(worker=worker, start_date__lte=start_date)
        .exclude(end_date__lt=start_date)
        .exists()
    ):
        raise ValidationError({"worker": f"{worker.name}在{start_date:%Y-%m-%d}已派驻在岗，请先办理离岗。"})
    posting = Posting(
        worker=worker,
        cycle=cycle,
        start_date=start_date,
        is_full_time=is_full_time,
        has_labour_contract=has_labour_contract,
    )
    posting.full_clean()
    if late_reason.strip():
        # Kept in the record's history: who let a late posting through, and why.
        posting._change_reason = f"R-STAFF-5 逾期派驻：{late_reason.strip()}"[:100]
    posting.save()
    return posting


@transaction.atomic
def posting_end(*, posting: Posting, end_date: datetime.date, actor) -> Posting:
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, posting)
    if end_date < posting.start_date:
        raise ValidationError({"end_date": "离岗日期不能早于到岗日期。"})
    posting.end_date = end_date
    posting.full_clean()
    posting.save()
    return posting


@transaction.atomic
def qualification_record(
    *, worker: SocialWorker, level: str, certificate_no: str, obtained_on: datetime.date, actor
) -> Qualification:
    """R-STAFF-2, R-STAFF-3: a social-work qualification with its certificate number and date."""
    require_role(actor, Role.CONTRACTOR, Role.BUREAU)
    require_visible(actor, worker)
    if level not in Qualification.Level.values:
        raise refusal(
            "R-STAFF-2", "社会工作专业资质为助理社会工作师、社会工作师或高级社会工作师。", field="level"
        )
    if not certificate_no.strip():
        raise refusal("R-STAFF-2", "请填写证书编号。", field="certificate_no")
    if obtained_on > timezone.localdate():
        raise ValidationError({"obtained_on": "取得日期不能晚于今天。"})
    qualification = Qualification(
        worker=worker, level=level, certificate_no=certificate_no.strip(), obtained_on=obtained_on
    )
    qualification.full_clean()
    qualification.save()
    return qualification
