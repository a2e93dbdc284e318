"""Reading policy parameters: the value in force on the day judged, or the policy's default.

One lookup is one query. A set-based check judges thousands of days at once; it runs inside
`parameters_cached()`, which reads each parameter's whole timeline once for the duration of the run,
so the engine's query count does not grow with the number of stations.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from core.models import PARAMETER_DEFAULTS, PolicyParameter


class ParameterTimeline:
    """Every value a parameter has had, read in one query (or given, when all are read at once)."""

    def __init__(self, key: str, values: list | None = None):
        self.key = key
        if values is None:
            values = list(
                PolicyParameter.objects.filter(key=key)
                .order_by("valid_from")
                .values_list("valid_from", "value")
            )
        self.values = values

    def on(self, day: datetime.date) -> Decimal:
        found = PARAMETER_DEFAULTS[self.key][0]
        for valid_from, value in self.values:
            if valid_from > day:
                break
            found = value
        return found

    def int_on(self, day: datetime.date) -> int:
        return int(self.on(day))


_timelines: ContextVar[dict[str, ParameterTimeline] | None] = ContextVar("parameter_timelines", default=None)


@contextmanager
def parameters_cached() -> Iterator[None]:
    """Within this block every parameter is read once (one query for all); nested blocks share the cache."""
    if _timelines.get() is not None:
        yield
        return
    rows: dict[str, list] = {key: [] for key in PARAMETER_DEFAULTS}
    for key, valid_from, value in PolicyParameter.objects.order_by("valid_from").values_list(
        "key", "valid_from", "value"
    ):
        rows.setdefault(key, []).append((valid_from, value))
    token = _timelines.set({key: ParameterTimeline(key, values) for key, values in rows.items()})
    try:
        yield
    finally:
        _timelines.reset(token)


def parameter(key: str, on: datetime.date) -> Decimal:
    """The value of a policy parameter in force on a day (the latest value whose valid_from is not after it)."""
    cache = _timelines.get()
    if cache is not None:
        return cache[key].on(on)
    found = PolicyParameter.objects.in_force(key, on)
    return found.value if found is not None else PARAMETER_DEFAULTS[key][0]


def int_parameter(key: str, on: datetime.date) -> int:
    return int(parameter(key, on))


def timeline(key: str) -> ParameterTimeline:
    """A parameter's timeline: from the run's cache inside parameters_cached(), else read now."""
    cache = _timelines.get()
    if cache is not None:
        return cache[key]
    return ParameterTimeline(key)


def parameters_on(day: datetime.date) -> list[dict]:
    """Every parameter as it stood on a day: its value, the day that value took effect and the document that
    decided it (one query), for the rules page."""
    rows: dict[str, list[PolicyParameter]] = {key: [] for key in PARAMETER_DEFAULTS}
    for row in PolicyParameter.objects.filter(valid_from__lte=day).order_by("valid_from"):
        rows.setdefault(row.key, []).append(row)
    shown = []
    for key, (default, rule_id) in PARAMETER_DEFAULTS.items():
        latest = rows[key][-1] if rows[key] else None
        shown.append(
            {
                "key": key,
                "label": PolicyParameter(key=key).get_key_display(),
                "rule_id": rule_id,
                "value": latest.value if latest else default,
                "valid_from": latest.valid_from if latest else None,
                "document_no": latest.document_no if latest else "",
                "is_money": PolicyParameter(key=key).is_money,
            }
        )
    return shown


def parameter_changes():
    """Every value ever set, newest first, with who set it and the document (the rules page's change log)."""
    return PolicyParameter.objects.select_related("changed_by").order_by("-valid_from", "key")
