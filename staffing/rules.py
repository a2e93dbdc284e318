"""Compliance checks of resident workers and volunteers (R-STAFF-1..6, R-SVC-2)."""

import datetime
from collections import defaultdict
from typing import NamedTuple

from django.db.models import Count, Min, OuterRef, Q, Subquery

from contracts.models import ContractYear, ProjectCycle
from core.findings import DueItem, Finding, Responsible, register, register_upcoming
from core.models import ParameterKey
from core.parameters import timeline
from core.policy import Severity
from core.text import gettext as _
from core.text import listing
from staffing.deadlines import posting_deadline, qualification_deadline, qualification_warning_starts
from staffing.models import Posting, Qualification, TrainingRecord, VolunteerHours


def took_over_on(cycles: list) -> dict[int, datetime.date]:
    """For each cycle, the day its contractor took the station: the start of the run of consecutive cycles
    the same contractor has held there (a renewed cycle continues the same takeover)."""
    result = {}
    by_station = defaultdict(list)
    for cycle in cycles:
        by_station[cycle.station_id].append(cycle)
    for station_cycles in by_station.values():
        station_cycles.sort(key=lambda c: c.start_date)
        run_start, previous = None, None
        for cycle in station_cycles:
            continues = (
                previous is not None
                and previous.contractor_id == cycle.contractor_id
                and previous.end_date + datetime.timedelta(days=1) >= cycle.start_date
            )
            run_start = run_start if continues else cycle.start_date
            result[cycle.pk] = run_start
            previous = cycle
    return result


def resident_postings(stations, today: datetime.date):
    """The postings in force today at the given stations, under the cycle holding each station now."""
    return (
        Posting.objects.filter(
            cycle__station__in=stations.values("pk"),
            cycle__start_date__lte=today,
            cycle__end_date__gte=today,
            start_date__lte=today,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("worker", "cycle__station")
        # Not the encrypted ID and phone numbers: no check reads them, and decrypting is most of a row's cost.
        .defer("worker__id_number", "worker__phone", "worker__id_digest")
    )


class CycleSpan(NamedTuple):
    """What took_over_on needs of a cycle, read as a plain row."""

    pk: int
    station_id: int
    contractor_id: int
    start_date: datetime.date
    end_date: datetime.date


def cycle_spans(station_ids) -> list[CycleSpan]:
    return [
        CycleSpan(*row)
        for row in ProjectCycle.objects.filter(station__in=station_ids)
        .order_by()
        .values_list("pk", "station_id", "contractor_id", "start_date", "end_date")
    ]


def _among(field: str, ids) -> dict:
    """`field` in these ids: one array for a list (`__any`), a subquery as it is."""
    return {f"{field}__any": list(ids)} if isinstance(ids, list | tuple | set) else {f"{field}__in": ids}


class QualificationFacts:
    """What R-STAFF-3 needs to know of a set of workers at a set of stations, read in four queries: each worker's
    first qualification, who has passed training, when each cycle's contractor took its station, when each worker
    was first posted there. `worker_ids` and `station_ids` are lists of ids or subqueries (an export of a
    province passes subqueries, not 120,000 ids). The check below, the staff pages and the workbook share it."""

    def __init__(self, worker_ids, station_ids):
        self.qualifications = {}
        for q in Qualification.objects.filter(**_among("worker", worker_ids)).order_by(
            "worker_id", "obtained_on"
        ):
            self.qualifications.setdefault(q.worker_id, q)
        self.trained = set(
            TrainingRecord.objects.filter(**_among("worker", worker_ids), passed=True)
            .order_by()
            .values_list("worker", flat=True)
        )
        self.takeover = took_over_on(cycle_spans(station_ids))
        self.first_posted = {
            (worker, station): first
            for worker, station, first in Posting.objects.filter(
                **_among("worker", worker_ids), **_among("cycle__station", station_ids)
            )
            .order_by()
            .values("worker", "cycle__station")
            .annotate(first=Min("start_date"))
            .values_list("worker", "cycle__station", "first")
        }

    def qualified(self, worker_id: int, today: datetime.date) -> bool:
        """Holds a social-work qualification obtained by today (R-STAFF-2, -3)."""
        qualification = self.qualifications.get(worker_id)
        return qualification is not None and qualification.obtained_on <= today

    def row(self, worker_id: int, cycle_id: int, station_id: int, today: datetime.date) -> dict:
        """A resident worker's qualification today, or their deadline with the days left (negative when
        overdue) and whether the warning period has started."""
        qualification = self.qualifications.get(worker_id)
        if qualification and qualification.obtained_on > today:
            qualification = None
        deadline = qualification_deadline(self.takeover[cycle_id], self.first_posted[(worker_id, station_id)])
        days_left = (deadline - today).days
        return {
            "qualification": qualification,
            "trained": worker_id in self.trained,
            "deadline": None if qualification else deadline,
            "days_left": None if qualification else days_left,
            "overdue_days": None if qualification else -days_left,
            "warning": not qualification and today >= qualification_warning_starts(deadline),
        }


@register("R-STAFF-1", "R-STAFF-2", "R-STAFF-3", "R-STAFF-4", "R-STAFF-6")
def resident_workers(stations, today: datetime.date):
    """Today's resident workers of every operating station: how many, qualified, within their deadline,
    full-time with a labour contract, trained."""
    # Plain rows, not model instances: at a province's scale this check reads hundreds of thousands of postings.
    postings = list(
        resident_postings(stations, today)
        .order_by("cycle_id", "start_date", "pk")
        .values_list("worker_id", "worker__name", "cycle__station_id", "is_full_time", "has_labour_contract")
    )
    facts = QualificationFacts(sorted({worker_id for worker_id, *_rest in postings}), stations.values("pk"))
    operating = (
        ProjectCycle.objects.filter(
            station__in=stations.values("pk"), start_date__lte=today, end_date__gte=today
        )
        .order_by()
        .values_list("pk", "station_id", "station__name", "contractor_id")
    )
    low, high = (
        timeline(ParameterKey.RESIDENT_WORKERS_MIN),
        timeline(ParameterKey.RESIDENT_WORKERS_MAX),
    )
    minimum, maximum = low.int_on(today), high.int_on(today)
    by_station = defaultdict(list)
    for posting in postings:
        by_station[posting[2]].append(posting)
    # The texts, translated once for the run (a province has hundreds of thousands of findings).
    count_subject, count_message = (
        _("驻站社工人数"),
        _("现有驻站社工{n_team}名，一般应为{minimum}-{maximum}名。"),
    )
    unqualified_subject = _("专业资质")
    unqualified_message = _("驻站社工中没有取得社会工作专业资质的人员（应不少于1名）。")
    overdue_message = _("{name}应于{deadline:%Y-%m-%d}前取得社会工作专业资质，已逾期。")
    warning_message = _("{name}须于{deadline:%Y-%m-%d}前取得社会工作专业资质，还剩{days}天。")
    full_time, labour_contract = _("专职"), _("劳动合同")
    lacking_message = _("{name}不符合驻站社工条件：缺少{lacking}。")
    untrained_message = _("{name}尚无培训合格记录。")
    contractor = Responsible.CONTRACTOR

    for cycle_id, station_id, station_name, contractor_id in operating:
        team = by_station.get(station_id, [])
        common = {"station_id": station_id, "station": station_name, "contractor_id": contractor_id}
        if not (minimum <= len(team) <= maximum):
            yield Finding(
                "R-STAFF-1",
                Severity.WARN,
                subject=count_subject,
                message=count_message.format(n_team=len(team), minimum=minimum, maximum=maximum),
                responsible=contractor,
                **common,
            )
        if team and not any(facts.qualified(worker_id, today) for worker_id, *_r in team):
            yield Finding(
                "R-STAFF-2",
                Severity.ERROR,
                subject=unqualified_subject,
                message=unqualified_message,
                responsible=contractor,
                **common,
            )
        for worker_id, name, _station, is_full_time, has_labour_contract in team:
            facts_now = facts.row(worker_id, cycle_id, station_id, today)
            deadline = facts_now["deadline"]
            if deadline is not None and today > deadline:
                yield Finding(
                    "R-STAFF-3",
                    Severity.ERROR,
                    subject=name,
                    person=name,
                    due=deadline,
                    message=overdue_message.format(name=name, deadline=deadline),
                    responsible=contractor,
                    **common,
                )
            elif facts_now["warning"]:
                yield Finding(
                    "R-STAFF-3",
                    Severity.WARN,
                    subject=name,
                    person=name,
                    due=deadline,
                    message=warning_message.format(name=name, deadline=deadline, days=facts_now["days_left"]),
                    responsible=contractor,
                    **common,
                )
            if not (is_full_time and has_labour_contract):
                lacking = listing(
                    text
                    for ok, text in ((is_full_time, full_time), (has_labour_contract, labour_contract))
                    if not ok
                )
                yield Finding(
                    "R-STAFF-4",
                    Severity.ERROR,
                    subject=name,
                    person=name,
                    message=lacking_message.format(name=name, lacking=lacking),
                    responsible=contractor,
                    **common,
                )
            if not facts_now["trained"]:
                yield Finding(
                    "R-STAFF-6",
                    Severity.TRACK,
                    subject=name,
                    person=name,
                    message=untrained_message.format(name=name),
                    responsible=contractor,
                    **common,
                )


def _cycles_with_posting_dates(stations):
    first_signed = (
        ContractYear.objects.filter(cycle=OuterRef("pk")).order_by("year_no").values("signed_on")[:1]
    )
    return (
        ProjectCycle.objects.filter(station__in=stations.values("pk"))
        .annotate(first_signed=Subquery(first_signed), first_posted=Min("postings__start_date"))
        .filter(first_signed__isnull=False)
        .select_related("station")
    )


@register("R-STAFF-5")
def posted_within_deadline(stations, today: datetime.date):
    """Every cycle's first workers were posted within 15 days (param) of signing its first contract."""
    for cycle in _cycles_with_posting_dates(stations):
        deadline = posting_deadline(cycle.first_signed)
        posted = cycle.first_posted
        if posted is not None and posted <= deadline:
            continue
        if posted is None and today <= deadline:
            continue  # still within the time allowed: a due item, not a finding
        day = (posted - cycle.first_signed).days if posted else (today - cycle.first_signed).days
        text = (
            _("于合同签订后第{day}天派驻社工").format(day=day)
            if posted
            else _("合同签订已{day}天，尚未派驻社工").format(day=day)
        )
        yield Finding(
            "R-STAFF-5",
            Severity.ERROR,
            cycle.station_id,
            cycle.station.name,
            subject=_("{start_date:%Y}—{planned_end_date:%Y}周期派驻").format(
                start_date=cycle.start_date, planned_end_date=cycle.planned_end_date
            ),
            message=_("合同{first_signed:%Y-%m-%d}签订，应于{deadline:%Y-%m-%d}前派驻社工，{text}。").format(
                first_signed=cycle.first_signed, deadline=deadline, text=text
            ),
            due=deadline,
            responsible=Responsible.CONTRACTOR,
            contractor_id=cycle.contractor_id,
        )


@register_upcoming
def postings_due(stations, today: datetime.date, horizon: datetime.date):
    for cycle in _cycles_with_posting_dates(stations).filter(first_posted__isnull=True):
        deadline = posting_deadline(cycle.first_signed)
        if today <= deadline <= horizon:
            yield DueItem(
                "R-STAFF-5",
                cycle.station_id,
                cycle.station.name,
                _("派驻驻站社工"),
                deadline,
                Responsible.CONTRACTOR,
                cycle.contractor_id,
            )


# Hours entered more than a week ago and still not verified are flagged to the station's staff.
VERIFY_WITHIN_DAYS = 7


@register("R-SVC-2")
def volunteer_hours_unverified(stations, today: datetime.date):
    cutoff = today - datetime.timedelta(days=VERIFY_WITHIN_DAYS)
    pending = (
        VolunteerHours.objects.filter(
            volunteer__station__in=stations.values("pk"),
            status=VolunteerHours.Status.PENDING,
            served_on__lt=cutoff,
        )
        .values("volunteer__station", "volunteer__station__name")
        .annotate(first=Min("served_on"), entries=Count("pk"))
        .order_by("volunteer__station")
    )
    for row in pending:
        station_id = row["volunteer__station"]
        yield Finding(
            "R-SVC-2",
            Severity.TRACK,
            station_id,
            row["volunteer__station__name"],
            subject=_("志愿服务时长"),
            message=_("有{row}条志愿服务时长待核实（最早{row2:%Y-%m-%d}）。").format(
                row=row["entries"], row2=row["first"]
            ),
            responsible=Responsible.CONTRACTOR,
        )
