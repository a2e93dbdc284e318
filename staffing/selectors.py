"""What the staff pages read: resident workers with their R-STAFF-3 deadline, volunteers with their hours.

A bounded number of queries for any number of rows: the pages pass one page of records at a time.
"""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from core.parameters import parameters_cached
from staffing.models import Posting, VolunteerHours
from staffing.rules import QualificationFacts


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
    from staffing.rules import resident_postings

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
