"""Read computations of evaluations: when each is due (R-EVAL-1), after the period it judges."""

import datetime

from core.dates import add_months

# The bureau and the street evaluate within a month after the half-year or the year ends.
EVALUATION_WINDOW_MONTHS = 1


def midterm_evaluation_due(start: datetime.date) -> datetime.date:
    return add_months(start, 6 + EVALUATION_WINDOW_MONTHS) - datetime.timedelta(days=1)


def final_evaluation_due(end: datetime.date) -> datetime.date:
    return add_months(end + datetime.timedelta(days=1), EVALUATION_WINDOW_MONTHS) - datetime.timedelta(days=1)
