"""The compliance engine: every app's registered checks, run over a set of stations.

Each app's rules.py registers its checks in accounts.findings; importing them here fills the
registry. Screens, exports, check_compliance and send_reminders all call `findings` and `due_items`.
"""

import datetime
from importlib import import_module

from django.utils import timezone

from accounts.findings import CHECKS, UPCOMING, DueItem, Finding
from accounts.parameters import parameters_cached
from accounts.policy import RULES, Severity
from reports.findings_cache import cached
from stations.selectors import pinned

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

    def compute():
        scope = pinned(stations)
        with parameters_cached():
            found = [finding for check in CHECKS.values() for finding in check(scope, today)]
        return sorted(
            found, key=lambda f: (SEVERITY_ORDER[f.severity], _rule_order(f.rule_id), f.station, f.subject)
        )

    return cached("findings", stations, today, compute)


def due_items(
    stations, today: datetime.date | None = None, days: int = REMINDER_HORIZON_DAYS
) -> list[DueItem]:
    """What is owed within `days` from today and not yet done."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days)

    def compute():
        scope = pinned(stations)
        with parameters_cached():
            items = [item for upcoming in UPCOMING.values() for item in upcoming(scope, today, horizon)]
        return sorted(items, key=lambda item: (item.due, item.station, item.subject))

    return cached(f"due{days}", stations, today, compute)
