"""Compliance checks of evaluations and renewals (R-EVAL-1..3, R-CYCLE-2), over every contract year of every cycle.

Nothing here looks only at recent years: an old evaluation regraded or unsigned, or a second year that rests on no
passing evaluation, is found however long ago it happened (rules.md, R-CYCLE-2: "checked over the whole history").
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.utils import timezone

from contracts.models import ContractYear, ProjectCycle, year_label
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.models import ParameterKey
from core.parameters import timeline
from core.policy import Severity
from core.text import gettext as _
from core.text import listing, phrase, plain
from evaluations.models import Evaluation, EvaluationScore, Renewal
from evaluations.selectors import Bands, final_evaluation_due, midterm_evaluation_due

PASSING = frozenset(Evaluation.PASSING_GRADES)


class EvaluationRow(NamedTuple):
    pk: int
    kind: str
    grade: str
    total_score: Decimal | None
    graded_on: datetime.date | None
    street_signed_at: datetime.datetime | None
    bureau_signed_at: datetime.datetime | None
    reported_at: datetime.datetime | None
    reported_on: datetime.date | None
    score_sum: Decimal | None

    @property
    def is_signed(self) -> bool:
        return self.street_signed_at is not None and self.bureau_signed_at is not None

    @property
    def signed_on(self) -> datetime.date | None:
        if not self.is_signed:
            return None
        return timezone.localtime(max(self.street_signed_at, self.bureau_signed_at)).date()

    @property
    def grade_label(self) -> str:
        return str(Evaluation.Grade(self.grade).label)


class FollowedYear(NamedTuple):
    """A contract year with its evaluations by kind and its renewal decision: plain rows, not model instances (a
    province holds over a hundred thousand years)."""

    pk: int
    station_id: int
    station_name: str
    contractor_id: int
    cycle_id: int
    year_no: int
    start_date: datetime.date
    end_date: datetime.date  # the actual end (R-CYCLE-3)
    planned_end_date: datetime.date
    cycle_end_date: datetime.date
    decision: str | None
    label: str
    evaluations: dict

    @property
    def ended_early(self) -> bool:
        return self.end_date < self.planned_end_date


def all_years(stations, today: datetime.date) -> list[FollowedYear]:
    """Every contract year of the stations that has begun, with its evaluations (three queries in all)."""
    rows = list(
        ContractYear.objects.filter(station__in=stations.values("pk"), start_date__lte=today)
        .order_by()
        .values_list(
            "pk",
            "station_id",
            "station__name",
            "cycle__contractor_id",
            "cycle_id",
            "year_no",
            "start_date",
            "end_date",
            "planned_end_date",
            "cycle__end_date",
            "renewal__decision",
        )
    )
    score_sum = Subquery(
        EvaluationScore.objects.filter(evaluation=OuterRef("pk"))
        .order_by()
        .values("evaluation")
        .annotate(total=Sum("score"))
        .values("total"),
        output_field=DecimalField(max_digits=6, decimal_places=1),
    )
    evaluations = defaultdict(dict)
    for year_id, *row in (
        Evaluation.objects.filter(contract_year__any=[row[0] for row in rows])
        .annotate(score_sum=score_sum)
        .order_by()
        .values_list(
            "contract_year_id",
            "pk",
            "kind",
            "grade",
            "total_score",
            "graded_on",
            "street_signed_at",
            "bureau_signed_at",
            "reported_at",
            "reported_to_municipal_on",
            "score_sum",
        )
    ):
        evaluations[year_id][row[1]] = EvaluationRow(*row)
    labels = {}  # translated once per pair of dates
    years = []
    for row in rows:
        start, planned_end = row[6], row[8]
        if (start, planned_end) not in labels:
            labels[start, planned_end] = year_label(start, planned_end)
        years.append(FollowedYear(*row, labels[start, planned_end], evaluations.get(row[0], {})))
    return years


def owed_evaluations(year: FollowedYear):
    """(kind, due) of the evaluations a year owes: none falling due after the actual end of a year that ended early
    (R-CYCLE-3)."""
    for kind, due in (
        (Evaluation.Kind.MIDTERM, midterm_evaluation_due(year.start_date)),
        (Evaluation.Kind.FINAL, final_evaluation_due(year.planned_end_date)),
    ):
        if year.ended_early and (kind == Evaluation.Kind.FINAL or due > year.end_date):
            if kind in year.evaluations:
                yield kind, due  # recorded all the same: still checked for its signatures
            continue
        yield kind, due


def _missing_signers(evaluation: EvaluationRow) -> list[tuple[str, str]]:
    """Who has yet to sign: (responsible, name as the message says it)."""
    missing = []
    if evaluation.street_signed_at is None:
        missing.append((Responsible.STREET, _("街道办事处")))
    if evaluation.bureau_signed_at is None:
        missing.append((Responsible.BUREAU, _("区民政局")))
    return missing


@register("R-EVAL-1", "R-EVAL-2", "R-EVAL-3", "R-CYCLE-2")
def evaluations_and_renewals(stations, today: datetime.date):
    kind_labels = {kind: str(label) for kind, label in Evaluation.Kind.choices}
    report_within = timeline(ParameterKey.EVAL_REPORT_WITHIN_DAYS)
    band_cache: dict[datetime.date, Bands] = {}
    years = all_years(stations, today)
    by_cycle_year = {(y.cycle_id, y.year_no): y for y in years}
    for year in years:
        evaluations = year.evaluations
        common = {
            "station_id": year.station_id,
            "station": year.station_name,
            "contractor_id": year.contractor_id,
        }
        for kind, due in owed_evaluations(year):
            evaluation = evaluations.get(kind)
            label = kind_labels[kind]
            if (evaluation is None or not evaluation.grade) and today > due:
                yield Finding(
                    "R-EVAL-1",
                    Severity.ERROR,
                    subject=phrase(year.label, label),
                    due=due,
                    message=_("{label}{label2}应于{due:%Y-%m-%d}前完成，尚无评估结果。").format(
                        label=year.label, label2=label, due=due
                    ),
                    responsible=Responsible.BUREAU,
                    **common,
                )
            if evaluation is not None and evaluation.grade and kind == Evaluation.Kind.FINAL and today > due:
                for responsible, who in _missing_signers(evaluation):
                    yield Finding(
                        "R-EVAL-2",
                        Severity.ERROR,
                        subject=phrase(year.label, label),
                        due=due,
                        message=_(
                            "年度评估（{grade}）尚待{who}签字，未经双方签字的评估不能作为续签依据。"
                        ).format(grade=evaluation.grade_label, who=who),
                        responsible=responsible,
                        **common,
                    )
        for evaluation in evaluations.values():
            label = phrase(year.label, kind_labels[evaluation.kind])
            # R-EVAL-1: a signed result is reported to the municipal bureau within the days the bureau set.
            signed_on = evaluation.signed_on
            if signed_on is not None and evaluation.reported_at is None and evaluation.reported_on is None:
                report_due = signed_on + datetime.timedelta(days=report_within.int_on(signed_on))
                if today > report_due:
                    yield Finding(
                        "R-EVAL-1",
                        Severity.WARN,
                        subject=_("{label}报市民政局").format(label=label),
                        due=report_due,
                        message=_(
                            "评估结果于{signed_on:%Y-%m-%d}双方签字，应于{due:%Y-%m-%d}前报市民政局，尚未报送。"
                        ).format(signed_on=signed_on, due=report_due),
                        responsible=Responsible.BUREAU,
                        **common,
                    )
            # R-EVAL-3: the grade is the one the total earns, and the total is the sum of the sheet's items.
            if evaluation.grade and evaluation.total_score is not None:
                day = evaluation.graded_on or year.end_date
                bands = band_cache.get(day) or band_cache.setdefault(day, Bands.on_timelines(day))
                earned = bands.grade(evaluation.total_score)
                if earned != evaluation.grade:
                    yield Finding(
                        "R-EVAL-3",
                        Severity.ERROR,
                        subject=label,
                        message=_("总分{total}分对应“{earned}”，记录的等次却是“{grade}”。").format(
                            total=plain(evaluation.total_score),
                            earned=Evaluation.Grade(earned).label,
                            grade=evaluation.grade_label,
                        ),
                        responsible=Responsible.BUREAU,
                        **common,
                    )
            if (
                evaluation.score_sum is not None
                and evaluation.total_score is not None
                and evaluation.score_sum != evaluation.total_score
            ):
                yield Finding(
                    "R-EVAL-3",
                    Severity.ERROR,
                    subject=label,
                    message=_("各项得分合计{sum}分，与总分{total}分不一致。").format(
                        sum=plain(evaluation.score_sum), total=plain(evaluation.total_score)
                    ),
                    responsible=Responsible.BUREAU,
                    **common,
                )
            if evaluation.grade and evaluation.total_score is None:
                yield Finding(
                    "R-EVAL-3",
                    Severity.ERROR,
                    subject=label,
                    message=_("评估等次“{grade}”没有评分表总分作依据。").format(grade=evaluation.grade_label),
                    responsible=Responsible.BUREAU,
                    **common,
                )
        final = _final(evaluations)
        # R-CYCLE-2 over the whole history: every later year rests on a renewal decided after a signed, passing
        # year-end evaluation of the year before it.
        if year.year_no > 1:
            previous = by_cycle_year.get((year.cycle_id, year.year_no - 1))
            basis = _final(previous.evaluations) if previous else None
            if previous is None or previous.decision != Renewal.Decision.RENEW:
                problem = _("上一合同年度没有续签决定")
            elif basis is None or not basis.is_signed:
                problem = _("上一合同年度的年度评估未经双方签字")
            elif basis.grade not in PASSING:
                problem = _("上一合同年度的年度评估为“{grade}”").format(grade=basis.grade_label)
            else:
                problem = None
            if problem:
                yield Finding(
                    "R-CYCLE-2",
                    Severity.ERROR,
                    subject=_("{label}续签依据").format(label=year.label),
                    message=_("周期第{year_no}年的合同缺少续签依据：{problem}。").format(
                        year_no=year.year_no, problem=problem
                    ),
                    responsible=Responsible.BUREAU,
                    **common,
                )
        if final is None or not final.is_signed:
            continue
        cycle_goes_on = year.end_date < year.cycle_end_date
        if final.grade == Evaluation.Grade.FAIL and cycle_goes_on:
            yield Finding(
                "R-CYCLE-2",
                Severity.ERROR,
                subject=_("{label}续签").format(label=year.label),
                message=_("年度评估不合格：不再续签，应结束项目周期并按政府购买服务程序重新确定承接主体。"),
                responsible=Responsible.BUREAU,
                **common,
            )
        elif year.decision == Renewal.Decision.RENEW and final.grade == Evaluation.Grade.FAIL:
            yield Finding(
                "R-CYCLE-2",
                Severity.ERROR,
                subject=_("{label}续签").format(label=year.label),
                message=_("年度评估不合格却已续签。"),
                responsible=Responsible.BUREAU,
                **common,
            )
        elif year.decision is None and cycle_goes_on and year.end_date < today:
            yield Finding(
                "R-CYCLE-2",
                Severity.TRACK,
                subject=_("{label}续签").format(label=year.label),
                message=_("年度评估结果为{grade}，尚未作出续签决定。").format(grade=final.grade_label),
                responsible=Responsible.BUREAU,
                **common,
            )


def _final(evaluations: dict) -> EvaluationRow | None:
    return next((e for e in evaluations.values() if e.kind == Evaluation.Kind.FINAL), None)


@register("R-CYCLE-2")
def failed_contractor_wins_again(stations, today: datetime.date):
    """A contractor whose year at a station was graded 不合格 (signed) winning that station's re-procurement: a risk
    the bureau weighs (R-CYCLE-2: after 不合格 the next contractor is chosen again)."""
    failed = set(
        Evaluation.objects.filter(
            contract_year__station__in=stations.values("pk"),
            kind=Evaluation.Kind.FINAL,
            grade=Evaluation.Grade.FAIL,
            street_signed_at__isnull=False,
            bureau_signed_at__isnull=False,
        )
        .order_by()
        .values_list(
            "contract_year__station_id", "contract_year__cycle__contractor_id", "contract_year__end_date"
        )
    )
    # No early return when nothing failed: the check costs the same two queries whatever the data.
    failed_before = defaultdict(list)
    for station_id, contractor_id, end in failed:
        failed_before[station_id, contractor_id].append(end)
    for station_id, station_name, contractor_id, contractor_name, start in (
        ProjectCycle.objects.filter(station__any=sorted({f[0] for f in failed}))
        .order_by()
        .values_list("station_id", "station__name", "contractor_id", "contractor__name", "start_date")
    ):
        ends = [end for end in failed_before.get((station_id, contractor_id), []) if end < start]
        if ends:
            yield Finding(
                "R-CYCLE-2",
                Severity.WARN,
                station_id=station_id,
                station=station_name,
                subject=_("{start:%Y}年起的项目周期").format(start=start),
                message=_(
                    "{name}在本站{end:%Y-%m-%d}结束的合同年度评估不合格，又中标本站的重新采购，请关注。"
                ).format(name=contractor_name, end=max(ends)),
                responsible=Responsible.BUREAU,
                contractor_id=contractor_id,
            )


SIGNED_TERMS = ("kind", "grade", "total_score", "held_on")


@register("R-EVAL-2")
def evaluations_changed_after_signing(stations, today: datetime.date):
    """A signed evaluation is a record both sides put their names to: a later version with another grade, score,
    kind or day is a signed record changed after signing (R-EVAL-2), whatever wrote it."""
    history = Evaluation.history.model
    signed_terms, changed = {}, {}
    for evaluation_id, street_signed_at, bureau_signed_at, *terms in (
        history.objects.filter(contract_year__station_id__in=stations.values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "street_signed_at", "bureau_signed_at", *SIGNED_TERMS)
    ):
        if evaluation_id not in signed_terms:
            if street_signed_at is not None or bureau_signed_at is not None:
                signed_terms[evaluation_id] = terms  # the terms as they stood at the first signature
        elif terms != signed_terms[evaluation_id]:
            changed[evaluation_id] = (signed_terms[evaluation_id], terms)
    rows = {
        pk: row
        for pk, *row in Evaluation.objects.filter(pk__any=sorted(changed))
        .order_by()
        .values_list(
            "pk",
            "contract_year__station_id",
            "contract_year__station__name",
            "contract_year__cycle__contractor_id",
            "contract_year__start_date",
            "contract_year__planned_end_date",
        )
    }
    for evaluation_id, (was, now) in changed.items():
        if evaluation_id not in rows:
            continue
        station_id, station_name, contractor_id, start, planned_end = rows[evaluation_id]
        fields = [
            str(Evaluation._meta.get_field(name).verbose_name)
            for name, before, after in zip(SIGNED_TERMS, was, now, strict=True)
            if before != after
        ]
        yield Finding(
            "R-EVAL-2",
            Severity.ERROR,
            station_id,
            station_name,
            subject=phrase(year_label(start, planned_end), str(Evaluation.Kind(now[0]).label)),
            message=_("评估签字后被修改：{fields}与签字时不同。").format(fields=listing(fields)),
            responsible=Responsible.BUREAU,
            contractor_id=contractor_id,
        )


@register_upcoming
def evaluations_due(stations, today: datetime.date, horizon: datetime.date):
    for year in all_years(stations, today):
        if year.cycle_end_date < today and year.end_date < today:
            continue  # nothing of a finished year is upcoming
        evaluations = year.evaluations
        for kind, due in owed_evaluations(year):
            if not (today <= due <= horizon):
                continue
            evaluation = _of_kind(evaluations, kind)
            label = phrase(year.label, Evaluation.Kind(kind).label)
            if evaluation is None or not evaluation.grade:
                yield DueItem(
                    "R-EVAL-1",
                    year.station_id,
                    year.station_name,
                    _("组织{label}").format(label=label),
                    due,
                    Responsible.BUREAU,
                    year.contractor_id,
                )
            elif kind == Evaluation.Kind.FINAL:
                for responsible, who in _missing_signers(evaluation):
                    yield DueItem(
                        "R-EVAL-2",
                        year.station_id,
                        year.station_name,
                        _("{label}（{who}签字）").format(label=label, who=who),
                        due,
                        responsible,
                        year.contractor_id,
                    )


def _of_kind(evaluations: dict, kind: str) -> EvaluationRow | None:
    return next((e for e in evaluations.values() if e.kind == kind), None)
