"""What the staff pages read: resident workers with their R-STAFF-3 deadline, volunteers with their hours.

A bounded number of queries for any number of rows: the pages pass one page of records at a time.
"""

import datetime
from decimal import Decimal

from django.db.models import Min, Q, Sum

from accounts.parameters import parameters_cached
from staffing.deadlines import qualification_deadline, qualification_warning_starts
from staffing.models import Posting, Qualification, TrainingRecord, VolunteerHours
from staffing.rules import cycle_spans, took_over_on


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


class QualificationFacts:
    """What R-STAFF-3 needs to know of a set of workers at a set of stations, read in four queries: each worker's
    first qualification, who has passed training, when each cycle's contractor took its station, when each worker
    was first posted there. `worker_ids` and `station_ids` are lists of ids or subqueries (an export of a
    province passes subqueries, not 120,000 ids)."""

    def __init__(self, worker_ids, station_ids):
        self.qualifications = {}
        for q in Qualification.objects.filter(worker__in=worker_ids).order_by("worker_id", "obtained_on"):
            self.qualifications.setdefault(q.worker_id, q)
        self.trained = set(
            TrainingRecord.objects.filter(worker__in=worker_ids, passed=True)
            .order_by()
            .values_list("worker", flat=True)
        )
        self.takeover = took_over_on(cycle_spans(station_ids))
        self.first_posted = {
            (worker, station): first
            for worker, station, first in Posting.objects.filter(
                worker__in=worker_ids, cycle__station__in=station_ids
            )
            .order_by()
            .values("worker", "cycle__station")
            .annotate(first=Min("start_date"))
            .values_list("worker", "cycle__station", "first")
        }

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
