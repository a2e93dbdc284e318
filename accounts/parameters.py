"""Reading policy parameters: the value in force on the day judged, or the policy's default."""

import datetime
from decimal import Decimal

from accounts.models import PARAMETER_DEFAULTS, PolicyParameter


def parameter(key: str, on: datetime.date) -> Decimal:
    """The value of a policy parameter in force on a day (the latest value whose valid_from is not after it)."""
    found = PolicyParameter.objects.in_force(key, on)
    return found.value if found is not None else PARAMETER_DEFAULTS[key][0]


def int_parameter(key: str, on: datetime.date) -> int:
    return int(parameter(key, on))
