"""Compliance checks of evaluations and renewals (R-EVAL-1, R-EVAL-2, R-CYCLE-2)."""

import datetime
from collections import defaultdict
from typing import NamedTuple

from contracts.models import ContractYear, year_label
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.policy import Severity
from core.text import gettext as _
from core.text import phrase
from evaluations.models import Evaluation, Renewal
from evaluations.selectors import final_evaluation_due, midterm_evaluation_due

# Contract years whose evaluations are still followed: in force, or ended within this many days.
LOOKBACK_DAYS = 400


class EvaluationRow(NamedTuple):
    kind: str
    grade: str
    street_signed_at: datetime.datetime | None
    bureau_signed_at: datetime.datetime | None

    @property
    def is_signed(self) -> bool:
        return self.street_signed_at is not None and self.bureau_signed_at is not None

    @property
    def grade_label(self) -> str:
        return str(Evaluation.Grade(self.grade).label)


class FollowedYear(NamedTuple):
    """A contract year whose evaluations are followed, with its evaluations by kind and its renewal decision:
    plain rows, not model instances (a province follows over a hundred thousand years)."""

    pk: int
    station_id: int
    station_name: str
    contractor_id: int
    start_date: datetime.date
    end_date: datetime.date
    cycle_end_date: datetime.date
    decision: str | None
    label: str
    evaluations: dict


def recent_years(stations, today: datetime.date) -> list[FollowedYear]:
    rows = list(
        ContractYear.objects.filter(
            station__in=stations.values("pk"),
            start_date__lte=today,
            end_date__gte=today - datetime.timedelta(days=LOOKBACK_DAYS),
        )
        .order_by()
        .values_list(
            "pk",
            "station_id",
            "station__name",
            "cycle__contractor_id",
            "start_date",
            "end_date",
            "cycle__end_date",
            "renewal__decision",
        )
    )
    evaluations = defaultdict(dict)
    for year_id, *row in (
        Evaluation.objects.filter(contract_year__any=[row[0] for row in rows])
        .order_by()
        .values_list("contract_year_id", "kind", "grade", "street_signed_at", "bureau_signed_at")
    ):
        evaluations[year_id][row[0]] = EvaluationRow(*row)
    labels = {}  # translated once per pair of dates
    years = []
    for row in rows:
        start, end = row[4], row[5]
        if (start, end) not in labels:
            labels[start, end] = year_label(start, end)
        years.append(FollowedYear(*row, labels[start, end], evaluations.get(row[0], {})))
    return years


def _missing_signers(evaluation: EvaluationRow) -> list[tuple[str, str]]:
    """Who has yet to sign: (responsible, name as the message says it)."""
    missing = []
    if evaluation.street_signed_at is None:
        missing.append((Responsible.STREET, _("街道办事处")))
    if evaluation.bureau_signed_at is None:
        missing.append((Responsible.BUREAU, _("区民政局")))
    return missing


@register("R-EVAL-1", "R-EVAL-2", "R-CYCLE-2")
def evaluations_and_renewals(stations, today: datetime.date):
    kind_labels = {kind: str(label) for kind, label in Evaluation.Kind.choices}
    for year in recent_years(stations, today):
        evaluations = year.evaluations
        common = {
            "station_id": year.station_id,
            "station": year.station_name,
            "contractor_id": year.contractor_id,
        }
        for kind, due in (
            (Evaluation.Kind.MIDTERM, midterm_evaluation_due(year.start_date)),
            (Evaluation.Kind.FINAL, final_evaluation_due(year.end_date)),
        ):
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
        final = evaluations.get(Evaluation.Kind.FINAL)
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


@register_upcoming
def evaluations_due(stations, today: datetime.date, horizon: datetime.date):
    for year in recent_years(stations, today):
        evaluations = year.evaluations
        for kind, due in (
            (Evaluation.Kind.MIDTERM, midterm_evaluation_due(year.start_date)),
            (Evaluation.Kind.FINAL, final_evaluation_due(year.end_date)),
        ):
            if not (today <= due <= horizon):
                continue
            evaluation = evaluations.get(kind)
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
