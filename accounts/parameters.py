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


class ParameterTimeline:
    """Every value a parameter has had, read in one query, for judging many days at once (set-based checks)."""

    def __init__(self, key: str):
        self.key = key
        self.values = list(
            PolicyParameter.objects.filter(key=key).order_by("valid_from").values_list("valid_from", "value")
        )

    def on(self, day: datetime.date) -> Decimal:
        found = PARAMETER_DEFAULTS[self.key][0]
        for valid_from, value in self.values:
            if valid_from > day:
                break
            found = value
        return found

    def int_on(self, day: datetime.date) -> int:
        return int(self.on(day))
