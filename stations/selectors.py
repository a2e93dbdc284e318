"""Read queries about stations that several pages and checks share."""

import datetime

from django.db.models import Case, DateField, F, Min, Q, QuerySet, When
from django.db.models.functions import Greatest


def with_built_on(stations: QuerySet) -> QuerySet:
    """Annotate `built_on`: the day a station counts as built (R-PLAN-2) — its first contract signed and its
    resident workers posted, whichever came later; None while either is missing."""
    return stations.annotate(
        first_signed=Min("cycles__years__signed_on"),
        first_posted=Min("cycles__postings__start_date"),
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
