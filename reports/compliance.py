"""The compliance engine: every app's registered checks, run over a set of stations.

Each app's rules.py registers its checks in core.findings; importing them here fills the
registry. Screens, exports, check_compliance and send_reminders all call `findings` and `due_items`.
"""

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, sees_people
from core.findings import CHECKS, UPCOMING, DueItem, Finding
from core.parameters import parameters_cached
from core.policy import RULES, Severity
from core.text import translations_cached
from reports import findings_cache
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
    each district's scope is small enough to reach the database as a list of ids. A district the scope holds
    whole is served from its own cache entry while its data is unchanged (reports/findings_cache.py)."""
    from stations.models import Station

    today = today or timezone.localdate()
    districts = list(
        stations.order_by()
        .values_list("street__district", "street__district__data_version")
        .annotate(n=Count("pk"))
        .order_by("street__district")
    )
    whole = dict(
        Station.objects.filter(street__district__in=stations.order_by().values("street__district"))
        .order_by()
        .values_list("street__district")
        .annotate(n=Count("pk"))
    )

    def compute(district_ids) -> dict[int, list[Finding]]:
        scope = Station.objects.filter(street__district__in=district_ids)
        district_of = dict(scope.order_by().values_list("pk", "street__district"))
        result: dict[int, list[Finding]] = {}
        for finding in compute_findings(scope, today):
            district = finding.district_id if finding.station_id is None else district_of[finding.station_id]
            result.setdefault(district, []).append(finding)
        return result

    # The parameters' fingerprint, read once for every chunk.
    parameters = findings_cache.everywhere() if findings_cache.enabled() else None
    group, size = [], 0
    for row in [*districts, None]:
        if row is not None:
            group.append(row)
            size += row[2]
        if group and (row is None or size >= chunk):
            if all(n == whole[district] for district, _version, n in group):
                found = findings_cache.district_findings(
                    {district: version for district, version, _n in group}, today, compute, parameters
                )
                for district, _version, _n in group:
                    yield from found[district]
            else:  # part of a district: computed for this scope only, never cached per district
                yield from compute_findings(
                    stations.filter(street__district__in=[d for d, _v, _n in group]), today
                )
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


def for_viewer(found, user) -> list[Finding]:
    """Findings as `user` may read them: without people's names for a role that does not see people."""
    return list(found) if sees_people(user) else [f.without_person() for f in found]


REPORT_RULES = ("R-REP-1", "R-REP-2", "R-REP-4")


@dataclass(frozen=True)
class OwedReport:
    """A report owed and not yet started: overdue (已逾期) or due within the reminder horizon (未提交)."""

    station_id: int
    station: str
    subject: str
    due: datetime.date
    overdue: bool
    query: dict
    url: str


def owed_reports(user, stations, today: datetime.date | None = None) -> list[OwedReport]:
    """Reports owed in `stations` that no one has started, oldest due first: overdue, or due within the reminder
    horizon. The rows of 未提交 and 已逾期 in the report list, and the first of them is what a new report starts from.
    A contractor sees only its own. Read from the same owed-reports reading as R-REP-1, -2 and -4 (two queries)."""
    from core.findings import action_url
    from core.text import phrase
    from reports.rules import _label, owed_target
    from reports.rules import owed_reports as owed

    today = today or timezone.localdate()
    orgs = (
        set(user.contractor_memberships.values_list("contractor", flat=True))
        if user.role == Role.CONTRACTOR
        else None
    )
    rows = []
    horizon = today + datetime.timedelta(days=REMINDER_HORIZON_DAYS)
    with parameters_cached(), translations_cached():  # the due days read the parameters once, not per report
        found = list(owed(stations, today, horizon))
    for year, kind, period, due, status in found:
        if status is not None or (orgs is not None and year.contractor_id not in orgs):
            continue
        target = owed_target(year, kind, period)
        rows.append(
            OwedReport(
                year.station_id,
                year.station_name,
                phrase(year.label, _label(kind, period)),
                due,
                due < today,
                dict(target[2]),
                action_url(target, year.station_id),
            )
        )
    return sorted(rows, key=lambda o: (o.due, o.station))
