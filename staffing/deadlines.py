"""Staffing deadlines from the policy parameters in force (R-STAFF-3, R-STAFF-5)."""

import datetime

from core.dates import add_years
from core.models import ParameterKey
from core.parameters import int_parameter


def posting_deadline(signed_on: datetime.date) -> datetime.date:
    """R-STAFF-5: workers are posted within 15 days (param) of signing: signed on day 0, day 15 is the last."""
    return signed_on + datetime.timedelta(days=int_parameter(ParameterKey.POSTING_WITHIN_DAYS, signed_on))


def qualification_deadline(took_over: datetime.date, first_posted: datetime.date) -> datetime.date:
    """R-STAFF-3: every resident worker qualifies within two years (param) of the contractor taking the station.

    A worker who joined later cannot have qualified before arriving: their two years run from their own
    first posting at the station, when that is later.
    """
    start = max(took_over, first_posted)
    return add_years(start, int_parameter(ParameterKey.QUALIFY_WITHIN_YEARS, start))


def qualification_warning_starts(deadline: datetime.date) -> datetime.date:
    """R-STAFF-3: warned 90 days (param) before the deadline."""
    return deadline - datetime.timedelta(days=int_parameter(ParameterKey.QUALIFY_WARN_DAYS, deadline))
