"""The persona world's pages, as each persona: fixed query budgets per page (not only "the same at 11 and 1,000"),
scope by action, and what each persona sees — asserted from what tests/personas.py built."""

import pytest
from django.urls import reverse

from reports.models import Report
from staffing.models import SocialWorker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("persona_day")]

# Page -> (persona, the most queries it may run). Measured on this world with a margin of a few queries; a page that
# starts querying per row breaks its budget at once.
BUDGETS = {
    # The homes and the findings run the compliance engine: its checks read every contract year of the scope's
    # history (issue 16) in a fixed number of queries each.
    "home": [("alice", 60), ("bob", 66), ("dave", 55), ("frank", 14)],
    "station-list": [("alice", 8), ("bob", 8), ("dave", 8), ("frank", 8)],
    "finding-list": [("alice", 41), ("dave", 41)],
    "report-list": [
        ("alice", 10),
        ("bob", 10),
        ("dave", 10),
    ],  # with the owed rows (years, reports, parameters)
    "worker-list": [("alice", 16), ("dave", 16)],
    "volunteer-list": [("alice", 9), ("dave", 9)],
    "service-record-list": [("alice", 8), ("dave", 8)],
    "contractor-list": [("alice", 8)],
}


def _client(client, personas, name):
    client.force_login(personas.users[name])
    return client


@pytest.mark.parametrize(
    ("url_name", "who", "budget"), [(p, w, b) for p, rows in BUDGETS.items() for w, b in rows]
)
def test_each_page_stays_within_its_query_budget(
    client, personas, django_assert_max_num_queries, url_name, who, budget
):
    client = _client(client, personas, who)
    client.get(reverse(url_name))  # a first visit fills the per-process caches (parameters, translations)
    with django_assert_max_num_queries(budget):
        response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200


def test_station_detail_stays_within_its_budget(client, personas, django_assert_max_num_queries):
    url = reverse("station-detail", args=[personas.stations["one"].pk])
    for who in ("alice", "bob", "dave", "frank"):
        client.force_login(personas.users[who])
        client.get(url)
        with django_assert_max_num_queries(70):
            assert client.get(url).status_code == 200


def test_actions_follow_role_and_state(personas):
    alice, bob, dave, erin = (personas.users[n] for n in ("alice", "bob", "dave", "erin"))
    brief = personas.brief
    assert Report.objects.visible_to(alice, "review").filter(pk=brief.pk).exists()
    assert not Report.objects.visible_to(dave, "review").exists()  # the author does not review
    assert (
        not Report.objects.visible_to(dave, "change").filter(pk=brief.pk).exists()
    )  # submitted: no longer edited
    assert not Report.objects.visible_to(erin).filter(pk=brief.pk).exists()  # another organisation's
    assert set(SocialWorker.objects.visible_to(dave, "reveal")) == set(personas.workers["one"])
    assert not SocialWorker.objects.visible_to(bob, "reveal").exists()


def test_each_persona_sees_its_own_and_nothing_else(client, personas):
    one, two = personas.stations["one"], personas.stations["two"]
    for who, sees, hidden in (("bob", one, two), ("carol", two, one), ("dave", one, two), ("erin", two, one)):
        client.force_login(personas.users[who])
        assert client.get(reverse("station-detail", args=[sees.pk])).status_code == 200, who
        assert client.get(reverse("station-detail", args=[hidden.pk])).status_code == 404, who
