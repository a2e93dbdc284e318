"""Issue 20, acceptance 2: a system pulls everything, the portal changes three records and deletes one, and the
pull with `updated_since` brings back exactly those — the changed ones in their lists, the deleted one among the
tombstones. The cursor is stable: rows added while a system pages through a list shift nothing."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache

from api.services import issue_token
from contracts.models import ContractYear
from stations.models import District, Station
from tests.factories import StationFactory, StreetFactory

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# After the demo was loaded (at the real time the test run began): a system's first pull, the day's changes, its
# next pull.
FIRST_PULL = datetime.datetime.now(SHANGHAI).replace(microsecond=0) + datetime.timedelta(days=1)
CHANGES = FIRST_PULL + datetime.timedelta(hours=5)
SECOND_PULL = FIRST_PULL + datetime.timedelta(hours=8)


@pytest.fixture
def key(demo_users):
    cache.clear()
    with time_machine.travel(FIRST_PULL - datetime.timedelta(hours=1), tick=False):
        dongli = District.objects.get(name="东丽区")
        StationFactory(name="待撤销测试站", street=StreetFactory(district=dongli))
        _token, key = issue_token(system="数据共享交换平台", district=dongli, days=30, by=demo_users["admin"])
    return key


def pull(client, key, path, since=None) -> list[dict]:
    rows = []
    url = path + (f"?updated_since={since.isoformat()}" if since else "")
    while url:
        body = client.get(url, headers={"Authorization": f"Bearer {key}"}).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_the_pull_since_the_last_one_brings_exactly_what_changed(client, key):
    with time_machine.travel(FIRST_PULL, tick=False):
        everything = pull(client, key, "/api/v1/stations/")
        assert len(everything) == Station.objects.filter(street__district__name="东丽区").count()
        assert pull(client, key, "/api/v1/deleted/") == []

    with time_machine.travel(CHANGES, tick=False):
        changed = list(Station.objects.filter(street__district__name="东丽区").order_by("pk")[:3])
        for station in changed:
            station.address = f"{station.address}（新址）"
            station.save()
        gone = Station.objects.get(name="待撤销测试站")
        gone_id = gone.pk
        gone.delete()

    with time_machine.travel(SECOND_PULL, tick=False):
        since = pull(client, key, "/api/v1/stations/", since=FIRST_PULL)
        assert sorted(row["id"] for row in since) == sorted(s.pk for s in changed)
        assert all(row["updated_at"] == CHANGES.isoformat() for row in since)
        deleted = pull(client, key, "/api/v1/deleted/", since=FIRST_PULL)
        assert [(row["resource"], row["object_id"]) for row in deleted] == [("stations", gone_id)]
        # Nothing else changed: the other lists bring nothing back.
        for path in ("/api/v1/districts/", "/api/v1/streets/", "/api/v1/contract-years/", "/api/v1/reports/"):
            assert pull(client, key, path, since=FIRST_PULL) == [], path


def test_a_change_to_a_contract_year_or_its_budget_brings_it_and_its_station_back(client, key):
    with time_machine.travel(CHANGES, tick=False):
        year = ContractYear.objects.filter(
            station__street__district__name="东丽区", budget_lines__isnull=False
        ).first()
        line = year.budget_lines.first()
        line.amount += 1
        line.save()
    with time_machine.travel(SECOND_PULL, tick=False):
        years = pull(client, key, "/api/v1/contract-years/", since=FIRST_PULL)
        assert [row["id"] for row in years] == [year.pk]
        stations = pull(client, key, "/api/v1/stations/", since=FIRST_PULL)
        assert stations == []  # a budget line says nothing a station's row shows
        year.headcount += 1
        year.save(update_fields=["headcount"])  # a save of some fields only still marks the change
    with time_machine.travel(SECOND_PULL + datetime.timedelta(hours=1), tick=False):
        stations = pull(client, key, "/api/v1/stations/", since=SECOND_PULL - datetime.timedelta(minutes=1))
        assert [row["id"] for row in stations] == [year.station_id]


def test_the_cursor_is_stable_under_inserts(client, key):
    with time_machine.travel(FIRST_PULL, tick=False):
        auth = {"Authorization": f"Bearer {key}"}
        first = client.get("/api/v1/stations/?page_size=5", headers=auth).json()
        dongli = District.objects.get(name="东丽区")
        for _new in range(3):  # new rows while the system pages
            StationFactory(street=StreetFactory(district=dongli))
        rest = pull(client, key, first["next"].split("testserver")[-1])
        ids = [row["id"] for row in first["results"]] + [row["id"] for row in rest]
        assert ids == sorted(ids) and len(ids) == len(set(ids))  # none twice, none skipped
        assert set(ids) == set(Station.objects.filter(street__district=dongli).values_list("pk", flat=True))


def test_a_date_alone_or_an_unescaped_plus_is_read_as_shanghai_time(client, key):
    auth = {"Authorization": f"Bearer {key}"}
    with time_machine.travel(SECOND_PULL, tick=False):
        moment = FIRST_PULL.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        plain = client.get(f"/api/v1/stations/?updated_since={moment}", headers=auth)
        assert (
            plain.status_code == 200 and plain.json()["results"] == []
        )  # '+' arrives as a space: still read
        later = FIRST_PULL + datetime.timedelta(
            days=1
        )  # its midnight, Shanghai time, is after every change here
        day = client.get(f"/api/v1/stations/?updated_since={later:%Y-%m-%d}", headers=auth)
        assert day.status_code == 200 and day.json()["results"] == []
        earlier = FIRST_PULL - datetime.timedelta(days=2)  # before the test station was made
        day = client.get(f"/api/v1/stations/?updated_since={earlier:%Y-%m-%d}", headers=auth)
        assert "待撤销测试站" in [row["name"] for row in day.json()["results"]]
