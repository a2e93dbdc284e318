"""Read queries about stations that several pages and checks share."""

import datetime

from django.db.models import Case, DateField, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Greatest

from contracts.models import ContractYear
from staffing.models import Posting


def with_built_on(stations: QuerySet) -> QuerySet:
    """Annotate `built_on`: the day a station counts as built (R-PLAN-2) — its first contract signed and its
    resident workers posted, whichever came later; None while either is missing."""
    # Correlated MIN() subqueries, one index lookup per station, not Min() over joins: no GROUP BY over every station
    # in scope, so a paginated list computes them for its page's rows only (bench/run.py at 40,000). Not ORDER BY
    # ... LIMIT 1, which PostgreSQL may answer by walking a date index across every station's rows.
    signed = (
        ContractYear.objects.filter(station=OuterRef("pk"), signed_on__isnull=False)
        .order_by()
        .values("station")
        .annotate(first=Min("signed_on"))
        .values("first")
    )
    posted = (
        Posting.objects.filter(cycle__station=OuterRef("pk"))
        .order_by()
        .values("cycle__station")
        .annotate(first=Min("start_date"))
        .values("first")
    )
    return stations.annotate(
        first_signed=Subquery(signed),
        first_posted=Subquery(posted),
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


def built_on_of(
    first_signed: datetime.date | None, first_posted: datetime.date | None
) -> datetime.date | None:
    """`built_on` from the two days `with_built_on` annotates, for a query that selects those two only: the
    database then runs each subquery once a station (an expression that names them both runs them twice each)."""
    if first_signed is None or first_posted is None:
        return None
    return max(first_signed, first_posted)


def _signed_and_posted():
    return (
        Exists(ContractYear.objects.filter(station=OuterRef("pk"), signed_on__isnull=False)),
        Exists(Posting.objects.filter(cycle__station=OuterRef("pk"))),
    )


def built(stations: QuerySet) -> QuerySet:
    """The stations that count as built (R-PLAN-2): a contract signed and workers posted. As semi-joins, which
    the database answers for thousands of stations at once; `with_built_on` gives the day itself."""
    signed, posted = _signed_and_posted()
    return stations.filter(signed, posted)


def not_built(stations: QuerySet) -> tuple[QuerySet, QuerySet]:
    """The stations not built: (those without a signed contract, those without workers posted) - two
    anti-joins, which may overlap."""
    signed, posted = _signed_and_posted()
    return stations.filter(~signed), stations.filter(~posted)


def operating_on(stations: QuerySet, day: datetime.date) -> QuerySet:
    """Stations held by a contractor on a day (a project cycle covers it)."""
    return stations.filter(cycles__start_date__lte=day, cycles__end_date__gte=day)


# Up to this many stations, a scope is passed to the database as a list of ids (see `pinned`).
PIN_LIMIT = 2000


def pinned(stations: QuerySet) -> QuerySet:
    """A small scope (a district, a contractor's stations) as a list of station ids. Behind `visible_to` the
    database cannot tell that a user's scope is 20 stations of 40,000, and may scan a whole table of reports;
    given the ids, it reads each table through its station index. One query; a large scope is left as it is."""
    ids = list(stations.order_by().values_list("pk", flat=True)[: PIN_LIMIT + 1])
    if len(ids) > PIN_LIMIT:
        return stations
    return stations.model.objects.filter(pk__any=ids)
