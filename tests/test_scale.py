"""generate_scale: a deterministic synthetic population, the same on SQLite and PostgreSQL."""

import io

import pytest
from django.core.management import call_command

from contracts.models import ContractYear
from reports.compliance import findings
from reports.models import Report
from staffing.models import SocialWorker
from stations.models import District, Station


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_generate_scale_builds_stations_with_their_history(client_as):
    before = Station.objects.count()
    out = io.StringIO()
    call_command("generate_scale", "--districts", "2", "--streets-per-district", "3", stdout=out)
    assert "6个社工站" in out.getvalue()
    synthetic = Station.objects.filter(street__district__code__startswith="9")
    assert Station.objects.count() == before + 6 == before + synthetic.count()
    assert ContractYear.objects.filter(station__in=synthetic).count() == 12
    assert SocialWorker.objects.filter(postings__cycle__station__in=synthetic).distinct().count() == 18
    assert Report.objects.filter(contract_year__station__in=synthetic, kind="monthly").count() == 6 * 16
    # The population is valid data: the engine runs over it, a bureau of a synthetic district sees its own only.
    assert isinstance(findings(synthetic), list)
    district = District.objects.filter(code__startswith="9").first()
    bureau = district.staff.get()
    assert set(Station.objects.visible_to(bureau)) == set(synthetic.filter(street__district=district))


@pytest.mark.django_db
def test_any_lookup_matches_in_and_still_queries_for_nothing(django_assert_num_queries):
    """`pk__any` (one array parameter on PostgreSQL, used for a pinned scope) selects what `pk__in` selects."""
    call_command("generate_scale", "--districts", "1", "--streets-per-district", "4", stdout=io.StringIO())
    ids = list(Station.objects.order_by("pk").values_list("pk", flat=True)[:3])
    assert set(Station.objects.filter(pk__any=ids)) == set(Station.objects.filter(pk__in=ids))
    assert (
        ContractYear.objects.filter(station__any=ids).count()
        == ContractYear.objects.filter(station__in=ids).count()
    )
    with django_assert_num_queries(1):  # a page's query count must not depend on what its data holds
        assert list(Station.objects.filter(pk__any=[])) == []
