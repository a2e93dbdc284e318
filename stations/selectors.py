"""Read queries about stations that several pages and checks share."""

import datetime

from django.db.models import Case, DateField, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Greatest

from contracts.models import ContractYear
from staffing.models import Posting


def with_built_on(stations: QuerySet) -> QuerySet:
    """Annotate `built_on`: the day a station counts as built (R-PLAN-2) — its first contract signed and its
    resident workers posted, whichever came later; None while either is missing."""
    # Correlated subqueries, not Min() over joins: no GROUP BY over every station in scope, so a paginated list
    # computes them for its page's rows only and counts its rows without aggregating (bench/run.py at 40,000).
    signed = ContractYear.objects.filter(station=OuterRef("pk"), signed_on__isnull=False).order_by(
        "signed_on"
    )
    posted = Posting.objects.filter(cycle__station=OuterRef("pk")).order_by("start_date")
    return stations.annotate(
        first_signed=Subquery(signed.values("signed_on")[:1]),
        first_posted=Subquery(posted.values("start_date")[:1]),
    ).annotate(
        built_on=Case(
            When(
                Q(first_signed__isnull=False) & Q(first_posted__isnull=False),
                then=Greatest(F("first_signed"), F("first_posted")),
            ),
            default=None,
            output_field=DateField(),
        )
    )


def operating_on(stations: QuerySet, day: datetime.date) -> QuerySet:
    """Stations held by a contractor on a day (a project cycle covers it)."""
    return stations.filter(cycles__start_date__lte=day, cycles__end_date__gte=day)
