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


def versions() -> dict[int, int]:
    from stations.models import District

    return dict(District.objects.values_list("pk", "data_version"))


def test_every_model_the_engine_reads_leads_to_its_districts():
    """Each path of reports.findings_cache.DISTRICT_OF is a real path from the model's rows to district ids."""
    from django.apps import apps

    from reports.findings_cache import DISTRICT_OF
    from stations.models import District

    district_ids = set(District.objects.values_list("pk", flat=True))
    for label, path in DISTRICT_OF.items():
        model = apps.get_model(label)
        reached = {d for d in model._base_manager.values_list(path, flat=True)[:50] if d is not None}
        assert reached <= district_ids, label
        assert reached or not model._base_manager.exists(), f"{label} leads to no district"


def test_a_write_raises_the_version_of_its_district_only(demo_users):
    import datetime

    from contracts.models import ContractYear, EligibilityEvidence
    from staffing.models import Qualification
    from stations.models import District

    synthetic_stations(2)  # a second district
    dongli = District.objects.get(code="120110")
    before = versions()
    year = ContractYear.objects.get(station__street__name="新立街道", start_date=datetime.date(2026, 7, 1))
    brief = services.report_draft(
        contract_year=year, kind="monthly", period=datetime.date(2026, 10, 1), actor=demo_users["org-a"]
    )
    after = versions()
    assert after[dongli.pk] > before[dongli.pk]
    assert {k: v for k, v in after.items() if k != dongli.pk} == {
        k: v for k, v in before.items() if k != dongli.pk
    }
    # A deletion, a worker's qualification (a worker belongs to a contractor, posted in a district), a contractor's
    # evidence: each raises the versions of the districts it reaches.
    for change in (
        brief.delete,
        lambda: (
            Qualification.objects.filter(worker__postings__cycle__station__street__district=dongli)
            .first()
            .save()
        ),
        lambda: (
            EligibilityEvidence.objects.filter(contractor__cycles__station__street__district=dongli)
            .first()
            .save()
        ),
    ):
        before = versions()
        change()
        assert versions()[dongli.pk] > before[dongli.pk]


def test_a_write_in_one_district_leaves_other_districts_cached(cache_on, demo_users):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.models import ContractYear
    from stations.models import District

    synthetic_stations(3)
    other = Station.objects.exclude(street__district__code="120110")
    dongli = Station.objects.filter(street__district__code="120110")
    findings(other), findings(dongli)
    year = ContractYear.objects.get(station__street__name="新立街道", start_date=datetime.date(2026, 7, 1))
    services.report_draft(
        contract_year=year, kind="monthly", period=datetime.date(2026, 10, 1), actor=demo_users["org-a"]
    )
    with CaptureQueriesContext(connection) as queries:
        findings(other)
    assert len(queries) == 2  # the fingerprint only: the other district's findings came from the cache
    with CaptureQueriesContext(connection) as queries:
        findings(dongli)
    assert len(queries) > 10  # computed afresh
    assert District.objects.count() == 2


def test_the_province_workbook_reuses_unchanged_districts(cache_on, demo_users, settings):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.models import ContractYear

    for _ in range(3):
        synthetic_stations(2)
    everything = Station.objects.all()
    first = list(findings_by_district(everything, chunk=3))
    with CaptureQueriesContext(connection) as warm:
        again = list(findings_by_district(everything, chunk=3))
    assert again == first
    assert (
        len(warm) <= 4
    )  # districts, whole-district counts, the parameters' fingerprint, per chunk nothing more
    year = ContractYear.objects.get(station__street__name="新立街道", start_date=datetime.date(2026, 7, 1))
    brief = services.report_draft(
        contract_year=year, kind="monthly", period=datetime.date(2026, 10, 1), actor=demo_users["org-a"]
    )
    services.report_submit(report=brief, actor=demo_users["org-a"])
    with CaptureQueriesContext(connection) as one_changed:
        after = list(findings_by_district(everything, chunk=3))
    # Only Dongli's chunk computed again: one run of the engine (a fixed number of queries per check).
    assert len(warm) < len(one_changed) < len(warm) + 50
    settings.FINDINGS_CACHE_SECONDS = 0
    fresh = list(findings_by_district(everything, chunk=3))
    assert sorted(map(repr, after)) == sorted(map(repr, fresh)) != sorted(map(repr, first))


def test_only_whole_districts_share_the_per_district_cache(cache_on, demo_users):
    """A scope holding part of a district never reads or fills a whole district's entry."""
    synthetic_stations(2)
    part = Station.objects.filter(street__name__in=["张贵庄街道", "新立街道"])
    mine = list(findings_by_district(part))
    assert {f.station for f in mine if f.station_id} <= {s.name for s in part}
    whole = list(findings_by_district(Station.objects.all()))
    assert {f.station for f in whole if f.station_id} > {f.station for f in mine if f.station_id}
