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
from core.text import listing, plain
from evaluations.models import Evaluation, EvaluationScore, Renewal, ScoringItem
from evaluations.selectors import (
    FULL_MARKS,
    Bands,
    evaluation_window_opens,
    final_evaluation_due,
    midterm_evaluation_due,
    scoring_sheet,
    sheet_year_of,
)


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
    if kind not in Evaluation.Kind.values:
        raise ValidationError({"kind": _("未知的评估类别。")})
    if held_on is None or held_on > timezone.localdate():
        raise refusal("R-EVAL-1", _("评估日期不能是将来的日期。"), field="held_on")
    if held_on < contract_year.start_date:
        raise refusal("R-EVAL-1", _("评估日期不能早于合同年度开始。"), field="held_on")
    earliest = evaluation_window_opens(contract_year.start_date, kind)
    if held_on < earliest:
        raise refusal(
            "R-EVAL-1",
            _("{kind}在合同年度{when}进行，最早{earliest:%Y-%m-%d}。").format(
                kind=Evaluation.Kind(kind).label,
                when=_("过半时") if kind == Evaluation.Kind.MIDTERM else _("年底"),
                earliest=earliest,
            ),
            field="held_on",
        )
    total = _checked_scores(contract_year, scores)
    today = timezone.localdate()
    band = Bands.on(today)  # the bands in force when the grade is recorded (R-EVAL-3)
    earned = band.grade(total)
    grade = grade or earned
    if grade not in Evaluation.Grade.values:
        raise refusal("R-EVAL-2", _("请选择评估等次（优秀、良好、合格或不合格）。"), field="grade")
    if grade != earned:
        raise refusal(
            "R-EVAL-3",
            _("总分{total}分对应“{earned}”（{earned_band}分），不能评为“{grade}”（{band}分）。").format(
                total=plain(total),
                earned=Evaluation.Grade(earned).label,
                earned_band=band.band_text(earned),
                grade=Evaluation.Grade(grade).label,
                band=band.band_text(grade),
            ),
            field="grade",
        )
    evaluation = Evaluation.objects.select_for_update().filter(contract_year=contract_year, kind=kind).first()
    if evaluation is not None:
        check_version(evaluation, seen_version)  # another officer saved it since this form was drawn
    if evaluation is not None and (evaluation.street_signed_at or evaluation.bureau_signed_at):
        raise refusal("R-EVAL-2", _("评估已有签字，不能再修改评分和等次。"))
    due = (
        midterm_evaluation_due(contract_year.start_date)
        if kind == Evaluation.Kind.MIDTERM
        else final_evaluation_due(contract_year.planned_end_date)
    )
    evaluation = evaluation or Evaluation(contract_year=contract_year, kind=kind, due_date=due)
    evaluation.held_on = held_on
    evaluation.grade = grade
    evaluation.graded_on = today
    evaluation.total_score = total
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


def _checked_scores(contract_year: ContractYear, scores) -> Decimal:
    """R-EVAL-3: one score for every item of the year's scoring sheet, each within its weight; returns the total."""
    _sheet_year, sheet = scoring_sheet(sheet_year_of(contract_year.start_date))
    given = {str(item): (Decimal(maximum), score) for item, maximum, score in scores}
    expected = {str(item): Decimal(maximum) for item, maximum in sheet}
    if set(given) != set(expected) or any(given[item][0] != expected[item] for item in expected):
        raise refusal(
            "R-EVAL-3",
            _("请按本年度评分表逐项打分：{items}。").format(
                items=listing(f"{item}（{plain(maximum)}分）" for item, maximum in sheet)
            ),
        )
    for item, (maximum, score) in given.items():
        if score is None or score < 0 or score > maximum:
            raise refusal(
                "R-EVAL-3",
                _("“{item}”得分应在0到{maximum}分之间。").format(item=item, maximum=plain(maximum)),
            )
    return sum((score for _maximum, score in given.values()), Decimal("0"))


@transaction.atomic
def scoring_sheet_set(*, sheet_year: int, items: list[tuple[str, Decimal]], actor) -> list[ScoringItem]:
    """R-EVAL-3: the bureau sets the scoring sheet (items and weights, 100 points in all) for the contract years that
    begin in a year. A sheet already used by a recorded evaluation is kept as it was: set the next year's instead."""
    require_role(actor, Role.BUREAU)
    today = timezone.localdate()
    if not 2021 <= sheet_year <= today.year + 1:
        raise refusal("R-EVAL-3", _("评分表年度应在2021年至明年之间。"), field="sheet_year")
    names = [name.strip() for name, _maximum in items]
    if not items or any(not name for name in names):
        raise refusal("R-EVAL-3", _("请至少填写一项评估指标及其分值。"), field="items")
    if len(set(names)) != len(names):
        raise refusal("R-EVAL-3", _("评估指标名称不能重复。"), field="items")
    if any(maximum is None or maximum <= 0 for _name, maximum in items):
        raise refusal("R-EVAL-3", _("每项指标的分值应大于0。"), field="items")
    total = sum((Decimal(maximum) for _name, maximum in items), Decimal("0"))
    if total != FULL_MARKS:
        raise refusal(
            "R-EVAL-3",
            _("各项指标分值合计应为100分，现为{total}分。").format(total=plain(total)),
            field="items",
        )
    used = Evaluation.objects.filter(
        contract_year__start_date__year__gte=sheet_year, total_score__isnull=False
    ).filter(
        contract_year__start_date__year__lt=(
            ScoringItem.objects.filter(sheet_year__gt=sheet_year)
            .order_by("sheet_year")
            .values_list("sheet_year", flat=True)
            .first()
            or 9999
        )
    )
    current_year, _current = scoring_sheet(sheet_year)
    if current_year == sheet_year and used.exists():
        raise refusal(
            "R-EVAL-3",
            _("{year}年度评分表已用于评估，不能再修改；请设定下一年度的评分表。").format(year=sheet_year),
            field="sheet_year",
        )
    ScoringItem.objects.filter(sheet_year=sheet_year).delete()
    rows = []
    for position, (name, maximum) in enumerate(items, start=1):
        row = ScoringItem(
            sheet_year=sheet_year, position=position, name=name.strip(), max_score=maximum, set_by=actor
        )
        row.full_clean()
        row.save()
        rows.append(row)
    return rows


@transaction.atomic
def evaluation_report(*, evaluation: Evaluation, actor) -> Evaluation:
    """R-EVAL-1: the bureau reports a signed mid-term or year-end result to the municipal bureau, through the portal
    (who and when are kept; the municipal bureau sees it from then on)."""
    require_role(actor, Role.BUREAU)
    require_visible(actor, evaluation)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_signed:
        raise refusal("R-EVAL-1", _("街道和区民政局双方签字后才能报市民政局。"))
    if evaluation.reported_at is not None:
        raise refusal(
            "R-EVAL-1",
            _("该评估结果已于{day:%Y-%m-%d}报市民政局。").format(day=evaluation.reported_to_municipal_on),
        )
    evaluation.reported_by = actor
    evaluation.reported_at = timezone.now()
    evaluation.reported_to_municipal_on = timezone.localdate()
    evaluation.full_clean()
    evaluation.save()
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
    headcount: int | None = None,
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
            _("{label}的年度评估结果为“{grade}”，不再续签，须按政府购买服务程序重新确定承接主体。").format(
                label=contract_year.label, grade=evaluation.get_grade_display()
            ),
        )
    signed = timezone.localtime(evaluation.signed_at).date()
    if signed_on < signed:
        raise refusal(
            "R-CYCLE-2",
            _("续签以{signed:%Y-%m-%d}双方签字的年度评估为依据，续签合同不能早于该日签订。").format(
                signed=signed
            ),
            field="signed_on",
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
        headcount=headcount,
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
    cycle = contract_year.cycle
    if not failed and contract_year.planned_end_date < cycle.planned_end_date and not note.strip():
        raise refusal(
            "R-CYCLE-2",
            _("{label}的年度评估为“{grade}”，按规定应续签；不再续签须写明原因。").format(
                label=contract_year.label, grade=evaluation.get_grade_display()
            ),
            field="note",
        )
    Renewal.objects.create(
        contract_year=contract_year,
        evaluation=evaluation,
        decision=Renewal.Decision.END,
        decided_on=timezone.localdate(),
        decided_by=actor,
        note=note,
    )
    reason = (
        ProjectCycle.EndReason.FAILED_EVALUATION
        if failed
        else (
            ProjectCycle.EndReason.COMPLETED
            if contract_year.planned_end_date == cycle.planned_end_date
            else ProjectCycle.EndReason.TERMINATED
        )
    )
    if contract_year.end_date > cycle.end_date:
        raise ValidationError(_("该合同年度晚于项目周期结束日期。"))
    return cycle_end(cycle=cycle, end_date=contract_year.end_date, reason=reason, actor=actor, note=note)


@transaction.atomic
def cycle_terminate(
    *, cycle: ProjectCycle, end_date: datetime.date, reason: str, actor, note: str = ""
) -> ProjectCycle:
    """R-CYCLE-3: end a cycle before its term (termination, the contractor withdraws). The year in force that day
    closes with it; briefs, reports and evaluations falling due after it are no longer owed, and the station may be
    procured again from the next day. A reason is always written (R-CYCLE-2 when the last grade passed)."""
    require_role(actor, Role.BUREAU)
    require_visible(actor, cycle.station)
    if end_date > timezone.localdate():
        raise refusal("R-CYCLE-3", _("提前结束日期不能是将来的日期；请在当天或之后办理。"), field="end_date")
    if Renewal.objects.filter(contract_year__cycle=cycle, contract_year__start_date__gt=end_date).exists():
        raise refusal("R-CYCLE-3", _("结束日期之后的合同年度已有续签决定，请先核对。"), field="end_date")
    if reason == ProjectCycle.EndReason.FAILED_EVALUATION:
        last = (
            Evaluation.objects.filter(
                contract_year__cycle=cycle,
                kind=Evaluation.Kind.FINAL,
                street_signed_at__isnull=False,
                bureau_signed_at__isnull=False,
            )
            .order_by("-contract_year__start_date")
            .first()
        )
        if last is None or last.grade != Evaluation.Grade.FAIL:
            raise refusal(
                "R-CYCLE-2",
                _(
                    "该周期最近一次双方签字的年度评估不是“不合格”，不能以评估不合格为由结束；请选择提前终止并写明原因。"
                ),
                field="reason",
            )
    return cycle_end(cycle=cycle, end_date=end_date, reason=reason, actor=actor, note=note)
