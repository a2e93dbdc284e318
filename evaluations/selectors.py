"""Read computations of evaluations: when each is due (R-EVAL-1), the grade a score earns and the scoring sheet of a
year (R-EVAL-3)."""

import datetime
from decimal import Decimal

from core.dates import add_months
from core.models import ParameterKey
from core.parameters import parameter, timeline
from core.text import plain
from evaluations.models import Evaluation, ScoringItem

# The bureau and the street evaluate within a month after the half-year or the year ends.
EVALUATION_WINDOW_MONTHS = 1

# The sheet used when the bureau has set none (the first sheet, loaded as data by migration 0002).
DEFAULT_SHEET = [
    ("项目管理", Decimal("20")),
    ("人员配备", Decimal("20")),
    ("服务成效", Decimal("40")),
    ("资金使用", Decimal("10")),
    ("满意度", Decimal("10")),
]
FULL_MARKS = Decimal("100")


def midterm_evaluation_due(start: datetime.date) -> datetime.date:
    return add_months(start, 6 + EVALUATION_WINDOW_MONTHS) - datetime.timedelta(days=1)


def evaluation_window_opens(start: datetime.date, kind: str) -> datetime.date:
    """The first day an evaluation may be held: the mid-term one once four months have run, the year-end one in the
    year's last two months (“在年底”) — an evaluation held on the year's first day judges nothing."""
    return add_months(start, 4 if kind == Evaluation.Kind.MIDTERM else 10)


def final_evaluation_due(end: datetime.date) -> datetime.date:
    return add_months(end + datetime.timedelta(days=1), EVALUATION_WINDOW_MONTHS) - datetime.timedelta(days=1)


class Bands:
    """R-EVAL-3: the lowest score of each grade (bureau parameters) in force on a day."""

    def __init__(self, excellent: Decimal, good: Decimal, passing: Decimal):
        self.excellent, self.good, self.passing = excellent, good, passing

    @classmethod
    def on(cls, day: datetime.date) -> "Bands":
        return cls(
            parameter(ParameterKey.EVAL_EXCELLENT_MIN, day),
            parameter(ParameterKey.EVAL_GOOD_MIN, day),
            parameter(ParameterKey.EVAL_PASS_MIN, day),
        )

    @classmethod
    def on_timelines(cls, day: datetime.date) -> "Bands":
        """As on(), read from the run's cached timelines (the engine judges many days in one run)."""
        return cls(
            timeline(ParameterKey.EVAL_EXCELLENT_MIN).on(day),
            timeline(ParameterKey.EVAL_GOOD_MIN).on(day),
            timeline(ParameterKey.EVAL_PASS_MIN).on(day),
        )

    def grade(self, total: Decimal) -> str:
        if total >= self.excellent:
            return Evaluation.Grade.EXCELLENT
        if total >= self.good:
            return Evaluation.Grade.GOOD
        if total >= self.passing:
            return Evaluation.Grade.PASS
        return Evaluation.Grade.FAIL

    def band_text(self, grade: str) -> str:
        """The band of a grade as people say it: 良好 80–89.9."""
        low, high = {
            Evaluation.Grade.EXCELLENT: (self.excellent, None),
            Evaluation.Grade.GOOD: (self.good, self.excellent),
            Evaluation.Grade.PASS: (self.passing, self.good),
            Evaluation.Grade.FAIL: (None, self.passing),
        }[grade]
        if low is None:
            return f"<{plain(high)}"
        if high is None:
            return f"≥{plain(low)}"
        return f"{plain(low)}–<{plain(high)}"


def sheet_year_of(contract_year_start: datetime.date) -> int:
    return contract_year_start.year


def scoring_sheet(year: int) -> tuple[int | None, list[tuple[str, Decimal]]]:
    """The sheet that scores contract years beginning in `year`: that year's, else the latest earlier one, else the
    default. Returns (the sheet's year or None for the default, [(item, max score)])."""
    sheet_year = (
        ScoringItem.objects.filter(sheet_year__lte=year)
        .order_by("-sheet_year")
        .values_list("sheet_year", flat=True)
    ).first()
    if sheet_year is None:
        return None, list(DEFAULT_SHEET)
    items = ScoringItem.objects.filter(sheet_year=sheet_year).order_by("position")
    return sheet_year, [(item.name, item.max_score) for item in items]
