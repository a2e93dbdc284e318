"""Reminders: each responsible person gets one mail listing what they owe within 14 days or is overdue.

Contractor staff get their organisation's items (briefs, reports, postings, qualifications); street
staff their station's (site checks, evaluations to sign); bureau staff their district's (reviews,
evaluations, renewals, plans). Nobody receives another organisation's or another street's items.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import User
from contracts.models import ProjectCycle
from core.findings import DueItem, Finding, Responsible
from reports.compliance import REMINDER_HORIZON_DAYS, due_items, findings
from stations.models import Station


@dataclass
class Reminder:
    user: User
    overdue: list[Finding] = field(default_factory=list)
    upcoming: list[DueItem] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return f"【社工站管理平台】待办提醒：逾期{len(self.overdue)}项，{REMINDER_HORIZON_DAYS}天内到期{len(self.upcoming)}项"

    @property
    def body(self) -> str:
        lines = [f"{self.user.get_full_name() or self.user.username}：", ""]
        if self.overdue:
            lines.append("一、需要处理的问题（含已逾期事项）")
            for n, f in enumerate(self.overdue, 1):
                due = f"（期限{f.due:%Y-%m-%d}）" if f.due else ""
                lines.append(
                    f"{n}. {f.station}·{f.subject}：{f.message}{due} [{f.rule_id}，{f.rule.clause_ref}]"
                )
        if self.upcoming:
            lines.append(f"二、{REMINDER_HORIZON_DAYS}天内到期")
            for n, item in enumerate(self.upcoming, 1):
                lines.append(
                    f"{n}. {item.due:%Y-%m-%d} {item.station}·{item.subject} [{item.rule_id}，{item.rule.clause_ref}]"
                )
        lines += ["", "请登录社工站管理平台办理。此邮件由系统自动发送。"]
        return "\n".join(lines)


# Overdue items are reminded; tracked records (severity "track") only where someone must act on them.
REMINDED_SEVERITIES = {"error", "warn", "track"}


def build_reminders(today: datetime.date | None = None) -> list[Reminder]:
    today = today or timezone.localdate()
    stations = Station.objects.all()
    overdue = [f for f in findings(stations, today) if f.severity in REMINDED_SEVERITIES]
    upcoming = due_items(stations, today)

    station_rows = {s.pk: s for s in Station.objects.select_related("street")}
    holders = dict(
        ProjectCycle.objects.filter(start_date__lte=today, end_date__gte=today).values_list(
            "station", "contractor"
        )
    )
    contractor_staff, street_staff, district_staff = defaultdict(list), defaultdict(list), defaultdict(list)
    for user in User.objects.filter(is_active=True, is_machine=False).prefetch_related(
        "contractor_memberships", "street_offices", "bureau_districts"
    ):
        # A contractor's account is reminded of the contractor's work in the districts that linked it.
        for membership in user.contractor_memberships.all():
            contractor_staff[membership.contractor_id, membership.district_id].append(user)
        for street in user.street_offices.all():
            street_staff[street.pk].append(user)
        for district in user.bureau_districts.all():
            district_staff[district.pk].append(user)

    def recipients(item) -> list[User]:
        station = station_rows.get(item.station_id)
        match item.responsible:
            case Responsible.CONTRACTOR:
                contractor_id = item.contractor_id or holders.get(item.station_id)
                district_id = station.street.district_id if station else None
                return contractor_staff.get((contractor_id, district_id), [])
            case Responsible.STREET:
                return street_staff.get(station.street_id, []) if station else []
            case _:
                district_id = getattr(item, "district_id", None) or (
                    station.street.district_id if station else None
                )
                return district_staff.get(district_id, [])

    reminders: dict[int, Reminder] = {}
    for finding in overdue:
        for user in recipients(finding):
            reminders.setdefault(user.pk, Reminder(user)).overdue.append(finding)
    for item in upcoming:
        for user in recipients(item):
            reminders.setdefault(user.pk, Reminder(user)).upcoming.append(item)
    return sorted(reminders.values(), key=lambda r: r.user.username)
