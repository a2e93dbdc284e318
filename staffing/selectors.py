"""What the staff pages, the checks and the workbook read: resident workers with their R-STAFF-3 deadline, the
staffing deadlines from the parameters in force, volunteers with their hours.

A bounded number of queries for any number of rows: the pages pass one page of records at a time.
"""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, Sum

from contracts.models import ProjectCycle
from core.dates import add_years
from core.models import ParameterKey
from core.parameters import int_parameter, parameters_cached
from staffing.models import Posting, Qualification, TrainingRecord, VolunteerHours


def in_force(postings, today: datetime.date) -> list[Posting]:
    """The postings in force today under a cycle running today."""
    return [
        p
        for p in postings
        if p.start_date <= today
        and (p.end_date is None or p.end_date >= today)
        and p.cycle.start_date <= today <= p.cycle.end_date
    ]


def qualification_rows(postings: list[Posting], today: datetime.date) -> list[dict]:
    """For postings in force (worker and cycle loaded): the worker's qualification, or their R-STAFF-3 deadline
    with the days left (negative when overdue) and whether the warning period has started."""
    with parameters_cached():
        return _qualification_rows(postings, today)


def _qualification_rows(postings: list[Posting], today: datetime.date) -> list[dict]:
    facts = QualificationFacts(
        sorted({p.worker_id for p in postings}), sorted({p.cycle.station_id for p in postings})
    )
    return [
        {
            "posting": posting,
            "worker": posting.worker,
            **facts.row(posting.worker_id, posting.cycle_id, posting.cycle.station_id, today),
        }
        for posting in postings
    ]


def current_postings(workers, today: datetime.date) -> dict[int, Posting]:
    """Each worker's posting in force today, if any."""
    postings = (
        Posting.objects.filter(worker__in=[w.pk for w in workers], start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(cycle__start_date__lte=today, cycle__end_date__gte=today)
        .select_related("worker", "cycle__station", "cycle__contractor")
    )
    return {p.worker_id: p for p in postings}


def with_hours(volunteers):
    """Volunteers annotated with their verified and pending hours (aggregated in the database)."""
    return volunteers.annotate(
        verified_hours=Sum(
            "hours_entries__hours", filter=Q(hours_entries__status=VolunteerHours.Status.VERIFIED)
        ),
        pending_hours=Sum(
            "hours_entries__hours", filter=Q(hours_entries__status=VolunteerHours.Status.PENDING)
        ),
    )


def station_hour_totals(volunteers) -> list[dict]:
    """Per station: volunteers on the register and verified hours, for the volunteers given."""
    rows = (
        VolunteerHours.objects.filter(
            volunteer__in=volunteers.values("pk"), status=VolunteerHours.Status.VERIFIED
        )
        .values("volunteer__station", "volunteer__station__name")
        .annotate(hours=Sum("hours"))
        .order_by("volunteer__station__name")
    )
    return [
        {
            "station_id": r["volunteer__station"],
            "station": r["volunteer__station__name"],
            "hours": r["hours"] or Decimal(0),
        }
        for r in rows
    ]


def team_counts(stations, today: datetime.date) -> dict[int, dict]:
    """Per station: resident workers today, how many hold a qualification, and how many at each level — counts
    only, for the roles that do not see people (the municipal bureau). One grouped query."""
    from django.db.models import Count

    from staffing.models import Qualification

    held = Q(worker__qualifications__obtained_on__lte=today)
    levels = {
        level: Count("worker", distinct=True, filter=held & Q(worker__qualifications__level=level))
        for level in Qualification.Level.values
    }
    rows = (
        resident_postings(stations, today)
        .order_by()
        .values("cycle__station")
        .annotate(
            residents=Count("worker", distinct=True),
            qualified=Count("worker", distinct=True, filter=held),
            **{f"level_{level}": count for level, count in levels.items()},
        )
    )
    return {
        row["cycle__station"]: {
            "residents": row["residents"],
            "qualified": row["qualified"],
            "levels": {level: row[f"level_{level}"] for level in Qualification.Level.values},
        }
        for row in rows
    }


# --- Deadlines from the policy parameters in force (R-STAFF-3, R-STAFF-5) ------------------------------------


def posting_deadline(signed_on: datetime.date) -> datetime.date:
    """R-STAFF-5: workers are posted within 15 days (param) of signing: signed on day 0, day 15 is the last."""
    return signed_on + datetime.timedelta(days=int_parameter(ParameterKey.POSTING_WITHIN_DAYS, signed_on))


def qualification_deadline(took_over: datetime.date) -> datetime.date:
    """R-STAFF-3: one deadline per cycle — every resident worker holds the qualification two years (param) after
    the contractor took the station. A worker posted before that day shares it; a recruit gets no fresh clock (a
    worker first posted after it must already be qualified), so rotating staff never postpones it."""
    return add_years(took_over, int_parameter(ParameterKey.QUALIFY_WITHIN_YEARS, took_over))


def took_over_station(cycle) -> datetime.date:
    """The day the cycle's contractor took its station (see took_over_on): two queries' worth for one cycle."""
    return took_over_on(cycle_spans([cycle.station_id]))[cycle.pk]


def same_person_elsewhere(worker, start_date: datetime.date, end_date: datetime.date | None = None):
    """R-STAFF-7: postings of the same person (by ID number, under any contractor's record) open at some day of
    [start_date, end_date]: a person is resident at one station at a time."""
    if not worker.id_digest:
        return Posting.objects.none()
    # A posting ends with its own end date or with its cycle (a cycle ended early leaves its postings open, but
    # nobody is resident under a cycle that has ended).
    overlapping = Posting.objects.filter(
        worker__id_digest=worker.id_digest, cycle__end_date__gte=start_date
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if end_date is not None:
        overlapping = overlapping.filter(start_date__lte=end_date)
    return overlapping.select_related("cycle__station", "worker")


def qualification_warning_starts(deadline: datetime.date) -> datetime.date:
    """R-STAFF-3: warned 90 days (param) before the deadline."""
    return deadline - datetime.timedelta(days=int_parameter(ParameterKey.QUALIFY_WARN_DAYS, deadline))


# --- Resident workers and what R-STAFF-3 needs of them ------------------------------------------------------


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
    """What R-STAFF-3 needs to know of a set of workers at a set of stations, read in three queries: each worker's
    first qualification, who has passed training, when each cycle's contractor took its station. `worker_ids` and `station_ids` are lists of ids or subqueries (an export of a
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
        deadline = qualification_deadline(self.takeover[cycle_id])
        days_left = (deadline - today).days
        return {
            "qualification": qualification,
            "trained": worker_id in self.trained,
            "deadline": None if qualification else deadline,
            "days_left": None if qualification else days_left,
            "overdue_days": None if qualification else -days_left,
            "warning": not qualification and today >= qualification_warning_starts(deadline),
        }


def untrained(worker) -> bool:
    """R-STAFF-6: no passed training record yet — a risk shown when the worker is posted, and until one exists."""
    return not TrainingRecord.objects.filter(worker=worker, passed=True).exists()
