"""Compliance checks of evaluations and renewals (R-EVAL-1, R-EVAL-2, R-CYCLE-2)."""

import datetime

from django.utils.translation import gettext as _

from accounts.findings import DueItem, Finding, Responsible, register, register_upcoming
from accounts.policy import Severity
from accounts.text import phrase
from contracts.models import ContractYear
from evaluations.deadlines import final_evaluation_due, midterm_evaluation_due
from evaluations.models import Evaluation, Renewal

# Contract years whose evaluations are still followed: in force, or ended within this many days.
LOOKBACK_DAYS = 400


def recent_years(stations, today: datetime.date):
    return (
        ContractYear.objects.filter(
            station__in=stations.values("pk"),
            start_date__lte=today,
            end_date__gte=today - datetime.timedelta(days=LOOKBACK_DAYS),
        )
        .select_related("station", "cycle", "renewal")
        .prefetch_related("evaluations")
    )


def _renewal(year):
    try:
        return year.renewal
    except Renewal.DoesNotExist:
        return None


def _missing_signers(evaluation: Evaluation) -> list[tuple[str, str]]:
    """Who has yet to sign: (responsible, name as the message says it)."""
    missing = []
    if evaluation.street_signed_at is None:
        missing.append((Responsible.STREET, _("街道办事处")))
    if evaluation.bureau_signed_at is None:
        missing.append((Responsible.BUREAU, _("区民政局")))
    return missing


@register("R-EVAL-1", "R-EVAL-2", "R-CYCLE-2")
def evaluations_and_renewals(stations, today: datetime.date):
    for year in recent_years(stations, today):
        evaluations = {e.kind: e for e in year.evaluations.all()}
        common = {
            "station_id": year.station_id,
            "station": year.station.name,
            "contractor_id": year.cycle.contractor_id,
        }
        for kind, due in (
            (Evaluation.Kind.MIDTERM, midterm_evaluation_due(year.start_date)),
            (Evaluation.Kind.FINAL, final_evaluation_due(year.end_date)),
        ):
            evaluation = evaluations.get(kind)
            label = Evaluation.Kind(kind).label
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
                        ).format(grade=evaluation.get_grade_display(), who=who),
                        responsible=responsible,
                        **common,
                    )
        final = evaluations.get(Evaluation.Kind.FINAL)
        renewal = _renewal(year)
        if final is None or not final.is_signed:
            continue
        cycle_goes_on = year.end_date < year.cycle.end_date
        if final.grade == Evaluation.Grade.FAIL and cycle_goes_on:
            yield Finding(
                "R-CYCLE-2",
                Severity.ERROR,
                subject=_("{label}续签").format(label=year.label),
                message=_("年度评估不合格：不再续签，应结束项目周期并按政府购买服务程序重新确定承接主体。"),
                responsible=Responsible.BUREAU,
                **common,
            )
        elif (
            renewal is not None
            and renewal.decision == Renewal.Decision.RENEW
            and final.grade == Evaluation.Grade.FAIL
        ):
            yield Finding(
                "R-CYCLE-2",
                Severity.ERROR,
                subject=_("{label}续签").format(label=year.label),
                message=_("年度评估不合格却已续签。"),
                responsible=Responsible.BUREAU,
                **common,
            )
        elif renewal is None and cycle_goes_on and year.end_date < today:
            yield Finding(
                "R-CYCLE-2",
                Severity.TRACK,
                subject=_("{label}续签").format(label=year.label),
                message=_("年度评估结果为{grade}，尚未作出续签决定。").format(
                    grade=final.get_grade_display()
                ),
                responsible=Responsible.BUREAU,
                **common,
            )


@register_upcoming
def evaluations_due(stations, today: datetime.date, horizon: datetime.date):
    for year in recent_years(stations, today):
        evaluations = {e.kind: e for e in year.evaluations.all()}
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
                    year.station.name,
                    _("组织{label}").format(label=label),
                    due,
                    Responsible.BUREAU,
                    year.cycle.contractor_id,
                )
            elif kind == Evaluation.Kind.FINAL:
                for responsible, who in _missing_signers(evaluation):
                    yield DueItem(
                        "R-EVAL-2",
                        year.station_id,
                        year.station.name,
                        _("{label}（{who}签字）").format(label=label, who=who),
                        due,
                        responsible,
                        year.cycle.contractor_id,
                    )
