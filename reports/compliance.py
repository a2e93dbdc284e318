"""The compliance engine: every app's registered checks, run over a set of stations.

Each app's rules.py registers its checks in accounts.findings; importing them here fills the
registry. Screens, exports, check_compliance and send_reminders all call `findings` and `due_items`.
"""

import datetime
from importlib import import_module

from django.db.models import Count
from django.utils import timezone

from accounts.findings import CHECKS, UPCOMING, DueItem, Finding
from accounts.parameters import parameters_cached
from accounts.policy import RULES, Severity
from accounts.text import translations_cached
from reports.findings_cache import cached
from stations.selectors import PIN_LIMIT, pinned

RULE_MODULES = ["stations.rules", "contracts.rules", "staffing.rules", "evaluations.rules", "reports.rules"]
for module in RULE_MODULES:
    import_module(module)

SEVERITY_ORDER = {Severity.BLOCK: 0, Severity.ERROR: 1, Severity.WARN: 2, Severity.TRACK: 3}
REMINDER_HORIZON_DAYS = 14


def _rule_order(rule_id: str) -> int:
    return list(RULES).index(rule_id)


def findings(stations, today: datetime.date | None = None) -> list[Finding]:
    """Every finding for the given stations on a day (today in Asia/Shanghai by default), most severe first."""
    today = today or timezone.localdate()
    return cached("findings", stations, today, lambda: compute_findings(stations, today))


def compute_findings(stations, today: datetime.date) -> list[Finding]:
    """The engine itself, without the cache."""
    scope = pinned(stations)
    with parameters_cached(), translations_cached():
        found = [finding for check in CHECKS.values() for finding in check(scope, today)]
    return sorted(
        found, key=lambda f: (SEVERITY_ORDER[f.severity], _rule_order(f.rule_id), f.station, f.subject)
    )


def findings_by_district(stations, today: datetime.date | None = None, chunk: int = PIN_LIMIT):
    """Every finding, a few whole districts at a time (about `chunk` stations): for an export of a city or a
    province, whose findings would not fit in memory at once. Each district's findings are most severe first;
    each district's scope is small enough to reach the database as a list of ids."""
    today = today or timezone.localdate()
    districts = (
        stations.order_by().values("street__district").annotate(n=Count("pk")).order_by("street__district")
    )
    group, size = [], 0
    for row in [*districts, None]:
        if row is not None:
            group.append(row["street__district"])
            size += row["n"]
        if group and (row is None or size >= chunk):
            yield from compute_findings(stations.filter(street__district__in=group), today)
            group, size = [], 0


def due_items(
    stations, today: datetime.date | None = None, days: int = REMINDER_HORIZON_DAYS
) -> list[DueItem]:
    """What is owed within `days` from today and not yet done."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)

    def compute():
        scope = pinned(stations)
        with parameters_cached(), translations_cached():
            items = [item for upcoming in UPCOMING.values() for item in upcoming(scope, today, horizon)]
        return sorted(items, key=lambda item: (item.due, item.station, item.subject))

    return cached(f"due{days}", stations, today, compute)
