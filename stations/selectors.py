"""Read queries about stations that several pages and checks share (what needs contracts or workers to answer —
whether a station is built, its status — lives in reports.selectors, above the apps it reads)."""

import datetime

from django.db.models import QuerySet


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
