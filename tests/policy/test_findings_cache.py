"""The compliance engine's cache never serves a result for data that has changed since."""

import pytest
from django.core.cache import cache

from reports import services
from reports.compliance import due_items, findings, findings_by_district
from stations.models import Station
from tests.synthetic import synthetic_stations

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


@pytest.fixture
def cache_on(settings):
    settings.FINDINGS_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def overdue_briefs(stations):
    return [f for f in findings(stations) if f.rule_id == "R-REP-1" and f.severity == "error"]


def test_a_change_through_the_portal_is_seen_at_once(cache_on, demo_users):
    stations = Station.objects.visible_to(demo_users["org-a"])
    before = overdue_briefs(stations)
    assert before and overdue_briefs(stations) == before  # the second call is served from the cache
    import datetime

    from contracts.models import ContractYear

    year = ContractYear.objects.get(station__street__name="新立街道", start_date=datetime.date(2026, 7, 1))
    brief = services.report_draft(
        contract_year=year, kind="monthly", period=datetime.date(2026, 10, 1), actor=demo_users["org-a"]
    )
    services.report_submit(report=brief, actor=demo_users["org-a"])
    after = overdue_briefs(stations)
    assert len(after) < len(before)


def test_a_bulk_insert_is_seen_at_once(cache_on):
    stations = Station.objects.all()
    count = len({f.station_id for f in findings(stations)})
    due = len(due_items(stations))
    synthetic_stations(5, district=Station.objects.first().street.district)
    assert len({f.station_id for f in findings(Station.objects.all())}) >= count
    assert (
        findings(Station.objects.all()) != findings.__wrapped__(stations)
        if hasattr(findings, "__wrapped__")
        else True
    )
    assert len(due_items(Station.objects.all())) >= due


def test_scopes_do_not_share_results(cache_on, demo_users):
    a = {f.station for f in findings(Station.objects.visible_to(demo_users["org-a"]))}
    b = {f.station for f in findings(Station.objects.visible_to(demo_users["org-b"]))}
    assert a and b and not (a & b)


def test_the_cached_dashboard_changes_when_data_changes(cache_on, client_as, demo_users):
    import datetime
    import re

    from contracts.models import ContractYear

    client = client_as("bureau")

    def page() -> str:  # without the per-response CSRF token
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", client.get("/").content.decode())

    first = page()
    assert page() == first  # served from the cache
    year = ContractYear.objects.get(station__street__name="新立街道", start_date=datetime.date(2026, 7, 1))
    brief = services.report_draft(
        contract_year=year, kind="monthly", period=datetime.date(2026, 10, 1), actor=demo_users["org-a"]
    )
    services.report_submit(report=brief, actor=demo_users["org-a"])
    assert page() != first


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_findings_district_by_district_are_the_same_findings():
    for _ in range(3):
        synthetic_stations(2)  # three more districts
    everything = Station.objects.all()
    whole = findings(everything)
    chunked = list(findings_by_district(everything, chunk=3))
    assert sorted(map(repr, chunked)) == sorted(map(repr, whole))
