"""The engine as a whole: check_compliance on the demo story, its cost, and send_reminders' recipients."""

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from contracts.models import ProjectCycle
from reports.compliance import due_items, findings
from reports.reminders import build_reminders
from stations.models import Station
from tests.factories import DistrictFactory, UserFactory
from tests.synthetic import synthetic_stations

STORY = datetime.date(2026, 11, 28)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_check_compliance_json_on_the_demo_lists_five_rules_with_their_clauses():
    out = io.StringIO()
    call_command("check_compliance", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert all(
        set(row) == {"rule", "severity", "station", "subject", "message", "clause", "due"} for row in rows
    )
    assert len({row["rule"] for row in rows}) >= 5
    assert all(row["clause"] for row in rows)
    by_rule = {(row["rule"], row["station"]) for row in rows}
    # The story's findings (demo-story.md).
    assert ("R-STAFF-2", "金桥街道社会工作服务站") in by_rule
    assert ("R-REP-1", "新立街道社会工作服务站") in by_rule
    assert ("R-FUND-1", "万新街道社会工作服务站") in by_rule
    assert ("R-PLAN-2", "东丽湖街道社会工作服务站") in by_rule
    assert ("R-STAFF-5", "华新街道社会工作服务站") in by_rule
    assert ("R-EVAL-2", "华明街道社会工作服务站") in by_rule
    warned = [row for row in rows if row["rule"] == "R-STAFF-3" and row["severity"] == "warn"]
    # 益家 took 军粮城 on 2025-01-10 after 众和 withdrew (R-CYCLE-3): its deadline falls within 90 days.
    assert [row["station"] for row in warned] == ["军粮城街道社会工作服务站"]
    assert not [
        row for row in rows if row["station"] == "张贵庄街道社会工作服务站" and row["rule"] == "R-STAFF-3"
    ]
    street_bought = [
        row for row in rows if row["rule"] == "R-FUND-1" and row["station"] == "金钟街道社会工作服务站"
    ]
    assert [row["severity"] for row in street_bought] == ["warn"] and "参照" in street_bought[0]["message"]
    unreported = [row for row in rows if row["rule"] == "R-EVAL-1" and row["severity"] == "warn"]
    assert [row["station"] for row in unreported] == ["无瑕街道社会工作服务站"]
    assert all(row["due"] is None or datetime.date.fromisoformat(row["due"]) for row in rows)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_check_compliance_for_one_station_as_text():
    out = io.StringIO()
    call_command("check_compliance", "--station", "金桥街道", stdout=out)
    text = out.getvalue()
    assert "R-STAFF-2" in text and "依据" in text and "新立" not in text


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_the_engine_costs_the_same_queries_for_11_and_for_1000_stations():
    with CaptureQueriesContext(connection) as small:
        found_small = findings(Station.objects.all(), STORY)
        due_items(Station.objects.all(), STORY)
    synthetic_stations(989)
    assert Station.objects.count() == 1000
    with CaptureQueriesContext(connection) as large:
        found_large = findings(Station.objects.all(), STORY)
        due_items(Station.objects.all(), STORY)
    assert len(found_large) > len(found_small) + 989  # the synthetic stations do have findings
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"][:120] for q in large.captured_queries
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_send_reminders_dry_run_prints_for_contractor_street_and_bureau():
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    text = out.getvalue()
    for recipient in [
        "收件人：org-a",
        "收件人：org-b",
        "收件人：zhangguizhuang",
        "收件人：fengniancun",
        "收件人：bureau",
    ]:
        assert recipient in text
    assert "R-REP-1" in text and "五（三）" in text
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_send_reminders_sends_one_mail_per_person():
    call_command("send_reminders", stdout=io.StringIO())
    recipients = [m.to[0] for m in mail.outbox]
    assert len(recipients) == len(set(recipients)) >= 5
    assert "bureau@example.org" in recipients


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_nobody_receives_another_organisations_or_another_streets_items(demo_users):
    other_bureau = UserFactory(username="other-bureau", role=Role.BUREAU)
    DistrictFactory().staff.add(other_bureau)
    reminders = {r.user.username: r for r in build_reminders(STORY)}
    assert "other-bureau" not in reminders  # its district has no stations, so nothing of Dongli's
    stations = {s.pk: s for s in Station.objects.select_related("street")}
    holders = dict(
        ProjectCycle.objects.filter(start_date__lte=STORY, end_date__gte=STORY).values_list(
            "station", "contractor"
        )
    )
    for username, reminder in reminders.items():
        user = reminder.user
        items = reminder.overdue + reminder.upcoming
        assert items
        for item in items:
            station = stations.get(item.station_id)
            if user.role == Role.CONTRACTOR:
                org_ids = set(user.contractor_memberships.values_list("contractor", flat=True))
                assert (item.contractor_id or holders.get(item.station_id)) in org_ids, (username, item)
            elif user.role == Role.STREET:
                assert station.street_id in set(user.street_offices.values_list("pk", flat=True)), (
                    username,
                    item,
                )
            else:
                district_ids = set(user.bureau_districts.values_list("pk", flat=True))
                assert (station.street.district_id if station else item.district_id) in district_ids
    assert {item.station for item in reminders["zhangguizhuang"].upcoming} == {"张贵庄街道社会工作服务站"}
    assert "新立街道社会工作服务站" in {f.station for f in reminders["org-a"].overdue}
    assert "新立街道社会工作服务站" not in {f.station for f in reminders["org-b"].overdue}
