"""Evaluations and what follows them: grading, the two sign-offs, renewal or the end of a cycle.

R-EVAL-2: the year-end evaluation is joint; only one signed by both the street and the bureau counts.
R-CYCLE-2: renew after 优秀/良好/合格; after 不合格 the cycle ends and a new procurement chooses the
next contractor.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from contracts.models import ContractYear, ProjectCycle
from contracts.services import contract_year_sign, cycle_end
from core.concurrency import check_version
from core.permissions import require_role, require_visible
from core.policy import refusal
from core.text import listing
from evaluations.models import Evaluation, EvaluationScore, Renewal
from evaluations.selectors import final_evaluation_due, midterm_evaluation_due


@transaction.atomic
def evaluation_record(
    *,
    contract_year: ContractYear,
    kind: str,
    held_on: datetime.date,
    grade: str,
    scores: list[tuple[str, Decimal, Decimal]],
    actor,
    evaluator: str = "",
    summary: str = "",
    seen_version: str | None = None,
) -> Evaluation:
    """R-EVAL-1: the bureau records a mid-term or year-end evaluation with its scoring sheet and grade."""
    require_role(actor, Role.BUREAU)
    require_visible(actor, contract_year)
    if grade not in Evaluation.Grade.values:
        raise refusal("R-EVAL-2", _("请选择评估等次（优秀、良好、合格或不合格）。"), field="grade")
    evaluation = Evaluation.objects.select_for_update().filter(contract_year=contract_year, kind=kind).first()
    if evaluation is not None:
        check_version(evaluation, seen_version)  # another officer saved it since this form was drawn
    if evaluation is not None and (evaluation.street_signed_at or evaluation.bureau_signed_at):
        raise refusal("R-EVAL-2", _("评估已有签字，不能再修改评分和等次。"))
    due = (
        midterm_evaluation_due(contract_year.start_date)
        if kind == Evaluation.Kind.MIDTERM
        else final_evaluation_due(contract_year.end_date)
    )
    evaluation = evaluation or Evaluation(contract_year=contract_year, kind=kind, due_date=due)
    total = sum((score for _, _, score in scores), Decimal("0"))
    evaluation.held_on = held_on
    evaluation.grade = grade
    evaluation.total_score = total if scores else None
    evaluation.evaluator = evaluator
    evaluation.summary = summary
    evaluation.full_clean()
    evaluation.save()
    evaluation.scores.all().delete()
    for item, max_score, score in scores:
        row = EvaluationScore(evaluation=evaluation, item=item, max_score=max_score, score=score)
        row.full_clean()
        row.save()
    return evaluation


@transaction.atomic
def evaluation_sign(*, evaluation: Evaluation, actor) -> Evaluation:
    """R-EVAL-2: the station's street office and the district bureau each sign once, after grading."""
    require_role(actor, Role.STREET, Role.BUREAU)
    require_visible(actor, evaluation)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.grade:
        raise refusal("R-EVAL-2", _("评估等次确定后才能签字。"))
    now = timezone.now()
    if actor.role == Role.STREET:
        if evaluation.street_signed_at:
            raise refusal("R-EVAL-2", _("街道已签字。"))
        evaluation.street_signed_by, evaluation.street_signed_at = actor, now
    else:
        if evaluation.bureau_signed_at:
            raise refusal("R-EVAL-2", _("区民政局已签字。"))
        evaluation.bureau_signed_by, evaluation.bureau_signed_at = actor, now
    evaluation.full_clean()
    evaluation.save()
    return evaluation


def _signed_final_evaluation(contract_year: ContractYear) -> Evaluation:
    evaluation = contract_year.evaluations.filter(kind=Evaluation.Kind.FINAL).first()
    if evaluation is None or not evaluation.grade:
        raise refusal(
            "R-CYCLE-2", _("{label}尚无年度评估结果，不能决定是否续签。").format(label=contract_year.label)
        )
    if not evaluation.is_signed:
        missing = listing(
            name
            for name, signed in (
                (_("街道"), evaluation.street_signed_at),
                (_("区民政局"), evaluation.bureau_signed_at),
            )
            if not signed
        )
        raise refusal(
            "R-EVAL-2",
            _("{label}的年度评估尚缺{missing}签字，未签字的评估不能作为续签依据。").format(
                label=contract_year.label, missing=missing
            ),
        )
    return evaluation


@transaction.atomic
def contract_year_renew(
    *,
    contract_year: ContractYear,
    amount: Decimal,
    signed_on: datetime.date,
    budget_lines: dict[str, Decimal],
    funding: dict[str, Decimal],
    actor,
    agreement_no: str = "",
) -> ContractYear:
    """Renew into the next contract year of the cycle after a passing, signed evaluation (R-CYCLE-2)."""
    require_role(actor, Role.BUREAU)
    require_visible(actor, contract_year)
    # Two officers deciding at once: the second waits for the first, then sees its decision.
    ContractYear.objects.select_for_update().filter(pk=contract_year.pk).first()
    if Renewal.objects.filter(contract_year=contract_year).exists():
        raise refusal(
            "R-CYCLE-2",
            _("{label}已有续签决定（可能是同事刚刚作出的），请刷新页面查看。").format(
                label=contract_year.label
            ),
        )
    evaluation = _signed_final_evaluation(contract_year)
    if evaluation.grade not in Evaluation.PASSING_GRADES:
        raise refusal(
            "R-CYCLE-2",
            _("{label}年度评估结果为“{grade}”，不再续签，须按政府购买服务程序重新确定承接主体。").format(
                label=contract_year.label, grade=evaluation.get_grade_display()
            ),
        )
    renewal = Renewal.objects.create(
        contract_year=contract_year,
        evaluation=evaluation,
        decision=Renewal.Decision.RENEW,
        decided_on=signed_on,
        decided_by=actor,
    )
    next_year = contract_year_sign(
        cycle=contract_year.cycle,
        amount=amount,
        signed_on=signed_on,
        budget_lines=budget_lines,
        funding=funding,
        actor=actor,
        agreement_no=agreement_no,
    )
    renewal.next_year = next_year
    renewal.save(update_fields=["next_year"])
    return next_year


@transaction.atomic
def cycle_end_after_evaluation(*, contract_year: ContractYear, actor, note: str = "") -> ProjectCycle:
    """End the cycle after this year's evaluation: after 不合格 there is no renewal (R-CYCLE-2); a passing
    year may also close a cycle that has run its course. The station's next contractor is then procured."""
    require_role(actor, Role.BUREAU)
    require_visible(actor, contract_year)
    # Two officers deciding at once: the second waits for the first, then sees its decision.
    ContractYear.objects.select_for_update().filter(pk=contract_year.pk).first()
    if Renewal.objects.filter(contract_year=contract_year).exists():
        raise refusal(
            "R-CYCLE-2",
            _("{label}已有续签决定（可能是同事刚刚作出的），请刷新页面查看。").format(
                label=contract_year.label
            ),
        )
    evaluation = _signed_final_evaluation(contract_year)
    failed = evaluation.grade == Evaluation.Grade.FAIL
    Renewal.objects.create(
        contract_year=contract_year,
        evaluation=evaluation,
        decision=Renewal.Decision.END,
        decided_on=timezone.localdate(),
        decided_by=actor,
        note=note,
    )
    cycle = contract_year.cycle
    reason = (
        ProjectCycle.EndReason.FAILED_EVALUATION
        if failed
        else (
            ProjectCycle.EndReason.COMPLETED
            if contract_year.end_date == cycle.planned_end_date
            else ProjectCycle.EndReason.TERMINATED
        )
    )
    if contract_year.end_date > cycle.end_date:
        raise ValidationError(_("该合同年度晚于项目周期结束日期。"))
    return cycle_end(cycle=cycle, end_date=contract_year.end_date, reason=reason, actor=actor)
