"""seed_plan and seed_demo: the annex as data, idempotent, and the demo accounts."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from contracts.models import ProjectCycle
from core.models import PARAMETER_DEFAULTS, PolicyParameter
from stations.annex import STREETS
from stations.models import Street
from tests.conftest import DEMO_USERNAMES

ANNEX = {
    "张贵庄街道": 2021,
    "丰年村街道": 2021,
    "新立街道": 2021,
    "军粮城街道": 2021,
    "万新街道": 2022,
    "华明街道": 2022,
    "华新街道": 2022,
    "无瑕街道": 2022,
    "金钟街道": 2023,
    "金桥街道": 2023,
    "东丽湖街道": 2023,
}


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"core", "accounts", "stations", "contracts", "staffing", "evaluations", "reports"}
    }


@pytest.mark.django_db
def test_R_PLAN_1_seed_plan_twice_leaves_the_annex_streets():
    assert dict(STREETS) == ANNEX  # the data file is the annex
    call_command("seed_plan", stdout=io.StringIO())
    call_command("seed_plan", stdout=io.StringIO())
    streets = Street.objects.filter(district__code="120110")
    assert dict(streets.values_list("name", "planned_year")) == ANNEX
    assert streets.count() == 11
    assert all(street.stations.count() == 1 for street in streets)


@pytest.mark.django_db
def test_seed_plan_loads_every_policy_parameter_with_its_default():
    call_command("seed_plan", stdout=io.StringIO())
    for key, (value, _rule) in PARAMETER_DEFAULTS.items():
        assert PolicyParameter.objects.filter(key=key).order_by("valid_from").first().value == value


@pytest.mark.django_db
def test_seed_demo_twice_leaves_no_duplicates():
    before = row_counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_every_demo_account_logs_in_with_the_demo_password(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": "dongli-demo-2021"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/", follow=True).status_code == 200


@pytest.mark.django_db
def test_seed_demo_refuses_under_production_settings():
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="生产环境"):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_story_has_a_failed_evaluation_and_a_reprocurement():
    ended = ProjectCycle.objects.get(station__street__name="丰年村街道", end_reason="failed_evaluation")
    assert ended.contractor.short_name == "启航"
    successor = ProjectCycle.objects.filter(station=ended.station, start_date__gt=ended.end_date).first()
    assert successor.contractor.short_name == "同心"
    assert successor.procurement.pk != ended.procurement.pk
