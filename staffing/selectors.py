"""What the staff pages read: resident workers with their R-STAFF-3 deadline, volunteers with their hours.

A bounded number of queries for any number of rows: the pages pass one page of records at a time.
"""

import datetime
from decimal import Decimal

from django.db.models import Min, Q, Sum

from accounts.parameters import parameters_cached
from contracts.models import ProjectCycle
from staffing.deadlines import qualification_deadline, qualification_warning_starts
from staffing.models import Posting, Qualification, TrainingRecord, VolunteerHours
from staffing.rules import took_over_on


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
    worker_ids = {p.worker_id for p in postings}
    station_ids = {p.cycle.station_id for p in postings}
    qualifications = {}
    for q in Qualification.objects.filter(worker__in=worker_ids).order_by("obtained_on"):
        qualifications.setdefault(q.worker_id, q)
    trained = set(
        TrainingRecord.objects.filter(worker__in=worker_ids, passed=True).values_list("worker", flat=True)
    )
    takeover = took_over_on(
        list(
            ProjectCycle.objects.filter(station__in=station_ids).only(
                "pk", "station_id", "contractor_id", "start_date", "end_date"
            )
        )
    )
    first_posted = {
        (row["worker"], row["cycle__station"]): row["first"]
        for row in Posting.objects.filter(worker__in=worker_ids, cycle__station__in=station_ids)
        .values("worker", "cycle__station")
        .annotate(first=Min("start_date"))
        .order_by()
    }
    rows = []
    for posting in postings:
        qualification = qualifications.get(posting.worker_id)
        if qualification and qualification.obtained_on > today:
            qualification = None
        deadline = qualification_deadline(
            takeover[posting.cycle_id], first_posted[(posting.worker_id, posting.cycle.station_id)]
        )
        days_left = (deadline - today).days
        rows.append(
            {
                "posting": posting,
                "worker": posting.worker,
                "qualification": qualification,
                "trained": posting.worker_id in trained,
                "deadline": None if qualification else deadline,
                "days_left": None if qualification else days_left,
                "overdue_days": None if qualification else -days_left,
                "warning": not qualification and today >= qualification_warning_starts(deadline),
            }
        )
    return rows


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
