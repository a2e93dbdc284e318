"""When each report is due, from the policy parameters in force (R-REP-1, R-REP-2, R-REP-4)."""

import datetime

from core.dates import add_months, first_of_month
from core.models import ParameterKey
from core.parameters import int_parameter


def brief_due(period: datetime.date) -> datetime.date:
    """R-REP-1: a month's brief is due by the 5th (param) of the next month."""
    next_month = add_months(first_of_month(period), 1)
    return next_month.replace(day=int_parameter(ParameterKey.BRIEF_DUE_DAY, next_month))


def midterm_report_due(start: datetime.date) -> datetime.date:
    """R-REP-2: the mid-term report is due at mid-year: the last day of the contract year's sixth month."""
    return add_months(start, 6) - datetime.timedelta(days=1)


def final_report_due(end: datetime.date) -> datetime.date:
    """R-REP-2: the final report is due at the contract year's end."""
    return end


def service_plan_due(start: datetime.date) -> datetime.date:
    """R-REP-4: the needs survey and service plan are due one month (param) into the contract year."""
    months = int_parameter(ParameterKey.SERVICE_PLAN_WITHIN_MONTHS, start)
    return add_months(start, months) - datetime.timedelta(days=1)
