"""What a compliance check reports, and the one registry of every check.

A check is a function `check(stations, today) -> Iterable[Finding]` over a queryset of stations,
costing a fixed number of queries whatever the number of stations. Each app registers its checks
in its own rules.py with @register; reports/compliance.py runs them all.

Findings are what is wrong or at risk now (overdue, missing, outside a limit). Due items are what
someone owes soon; send_reminders lists both for the person responsible.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.policy import RULES, Rule, Severity
from core.text import label
from core.workbook import Column, Sheet


class Responsible(models.TextChoices):
    """Who must act on a finding or a due item (the recipient of its reminder)."""

    CONTRACTOR = "contractor", _("承接主体")
    STREET = "street", _("街道办事处")
    BUREAU = "bureau", _("区民政局")


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str
    station_id: int | None
    station: str
    subject: str
    message: str
    due: datetime.date | None = None
    responsible: str = Responsible.BUREAU
    contractor_id: int | None = None
    # For a finding about a whole district (R-PLAN-3) rather than one station.
    district_id: int | None = None
    # Where it is acted on: (URL name, args, query pairs), resolved by `action_url`; empty for the station page.
    target: tuple = field(default=(), compare=False)
    # The name of the person it is about (a resident worker), for roles that may not see people (the municipal
    # bureau): `without_person` puts a description in place of the name.
    person: str = field(default="", compare=False)

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    @property
    def clause(self) -> str:
        return f"{self.rule.clause_ref}：“{self.rule.clause}”"

    @property
    def action_url(self) -> str:
        return action_url(self.target, self.station_id)

    def without_person(self) -> "Finding":
        """The same finding, naming no one: the municipal bureau sees counts and qualifications, not names."""
        if not self.person:
            return self
        return replace(
            self,
            subject=gettext("驻站社工"),
            message=self.message.replace(self.person, gettext("一名驻站社工")),
            person="",
        )

    def as_json(self) -> dict:
        return {
            "rule": self.rule_id,
            "severity": self.severity,
            "station": self.station,
            "subject": self.subject,
            "message": self.message,
            "clause": self.clause,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass(frozen=True)
class DueItem:
    """Something owed by a day that has not yet come: a brief, a report, a posting, a signature."""

    rule_id: str
    station_id: int | None
    station: str
    subject: str
    due: datetime.date
    responsible: str
    contractor_id: int | None = None
    target: tuple = field(default=(), compare=False)

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    @property
    def action_url(self) -> str:
        return action_url(self.target, self.station_id)


def action_url(target: tuple, station_id: int | None) -> str:
    """The page where a finding or a due item is acted on: its target when the check named one, else the station."""
    if target:
        name, args, *query = target
        url = reverse(name, args=args)
        return f"{url}?{urlencode(query[0])}" if query and query[0] else url
    return reverse("station-detail", args=[station_id]) if station_id else ""


Check = Callable[..., Iterable[Finding]]
Upcoming = Callable[..., Iterable[DueItem]]

CHECKS: dict[str, Check] = {}
UPCOMING: dict[str, Upcoming] = {}


def register(*rule_ids: str):
    """Register a compliance check under the rule IDs it checks (they must exist in the catalogue)."""

    def decorate(function: Check) -> Check:
        for rule_id in rule_ids:
            if rule_id not in RULES:
                raise LookupError(f"{function.__qualname__} cites unknown rule {rule_id}")
        CHECKS[f"{function.__module__}.{function.__name__}"] = function
        function.rule_ids = rule_ids
        return function

    return decorate


def register_upcoming(function: Upcoming) -> Upcoming:
    UPCOMING[f"{function.__module__}.{function.__name__}"] = function
    return function


# --- Findings as a sheet: the rollout workbook's sheet and the findings page's export ---------------------------


def findings_rows_sheet(found, note: str = "") -> Sheet:
    """Findings as a sheet: the workbook's findings sheet and the findings page's export."""
    return Sheet(
        "整改问题",
        [
            Column("规则", 12),
            Column("程度", 8),
            Column("社工站", 30),
            Column("事项", 16),
            Column("说明", 50),
            Column("期限", 12, "date"),
            Column("政策依据", 60),
        ],
        _finding_rows(found),
        note=note,
    )


def _finding_rows(found):
    # Each rule's clause and each severity's label put into words once, not once per finding (a province's
    # workbook has hundreds of thousands).
    clauses, severities = {}, {}
    for f in found:
        if f.rule_id not in clauses:
            clauses[f.rule_id] = f.clause
        if f.severity not in severities:
            severities[f.severity] = severity_label(f.severity)
        yield [f.rule_id, severities[f.severity], f.station, f.subject, f.message, f.due, clauses[f.rule_id]]


def severity_label(value: str) -> str:
    return label(Severity(value).label)
