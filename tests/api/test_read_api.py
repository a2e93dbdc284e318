"""Issue 20: the read API. Every endpoint as a district's token, the municipal token, a revoked token and no token;
no person's data through any of them; one error shape; ETags; a rate per token; every call in the audit log."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from api.models import ApiToken
from api.services import issue_token, revoke_token
from audit.models import AuditEvent
from contracts.models import Contractor
from reports.models import ServiceRecord
from staffing.models import SocialWorker, Volunteer
from stations.models import District, Station
from tests.factories import StationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]

RESOURCES = [
    "districts", "streets", "stations", "procurements", "cycles", "contract-years", "reports", "evaluations",
]  # fmt: skip
LISTS = [f"/api/v1/{name}/" for name in [*RESOURCES, "findings", "deleted"]] + [
    "/api/v1/rules/",
    "/api/v1/ocds/",
]


@pytest.fixture(autouse=True)
def fresh_rates():
    cache.clear()  # the rate of each token is counted in the cache
    yield
    cache.clear()


@pytest.fixture
def tokens(demo_users):
    """A token for 东丽区's scope, one for every district, one revoked; and a second district with a station that
    the district's token must never see."""
    admin = demo_users["admin"]
    dongli = District.objects.get(name="东丽区")
    other = StationFactory(name="外区测试站")
    district, district_key = issue_token(system="区政务数据共享交换平台", district=dongli, days=30, by=admin)
    _municipal, municipal_key = issue_token(system="市民政局平台", district=None, days=30, by=admin)
    revoked, revoked_key = issue_token(system="旧系统", district=dongli, days=30, by=admin)
    revoke_token(revoked, by=admin)
    return {
        "district": district_key,
        "municipal": municipal_key,
        "revoked": revoked_key,
        "other_station": other,
        "district_token": district,
    }


def get(client, path, key=None, **headers):
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return client.get(path, headers=headers)


def every_page(client, path, key) -> list:
    """Every row of a list, page after page (cursor or page number, as the list offers)."""
    rows, url = [], path
    while url:
        body = get(client, url, key).json()
        if "results" not in body:
            return [body]
        rows += body["results"]
        url = body.get("next")
    return rows


def detail_paths(client, key) -> list[str]:
    paths = []
    for name in RESOURCES:
        rows = get(client, f"/api/v1/{name}/", key).json()["results"]
        if rows:
            paths.append(f"/api/v1/{name}/{rows[0]['id']}/")
    return paths


@pytest.mark.parametrize("path", LISTS)
def test_every_list_as_each_token_and_without_one(client, tokens, path):
    for who in ("district", "municipal"):
        response = get(client, path, tokens[who])
        assert response.status_code == 200, (who, response.content[:300])
        assert response["Content-Type"].startswith("application/json") and response["ETag"]
    for who, code in (("revoked", "token_revoked"), (None, "not_authenticated")):
        response = get(client, path, tokens[who] if who else None)
        assert response.status_code == 401, who
        error = response.json()["error"]
        assert error["code"] == code and error["message"] and error["message_en"]


def test_every_detail_as_each_token_and_without_one(client, tokens):
    paths = detail_paths(client, tokens["district"])
    assert len(paths) == len(RESOURCES)  # the demo has a row of each
    for path in paths:
        assert get(client, path, tokens["district"]).status_code == 200, path
        assert get(client, path, tokens["revoked"]).status_code == 401, path
        assert get(client, path).status_code == 401, path
        municipal = get(client, path, tokens["municipal"])
        # The municipal bureau reads what its pages show: no reports, evaluations once reported to it.
        assert municipal.status_code in (200, 404), path
        if "/reports/" in path:
            assert municipal.status_code == 404


def test_a_district_token_sees_its_district_only_the_municipal_token_every_district(client, tokens):
    other = tokens["other_station"]
    district = [row["id"] for row in every_page(client, "/api/v1/stations/", tokens["district"])]
    municipal = [row["id"] for row in every_page(client, "/api/v1/stations/", tokens["municipal"])]
    assert other.pk not in district and other.pk in municipal
    assert set(district) == set(
        Station.objects.filter(street__district__name="东丽区").values_list("pk", flat=True)
    )
    assert get(client, f"/api/v1/stations/{other.pk}/", tokens["district"]).status_code == 404
    assert get(client, f"/api/v1/stations/{other.pk}/", tokens["municipal"]).status_code == 200
    districts = [row["name"] for row in every_page(client, "/api/v1/districts/", tokens["district"])]
    assert districts == ["东丽区"]


def test_no_personal_data_leaves_through_any_endpoint(client, tokens):
    """Walk every endpoint, every page, as both tokens: no ID number, phone number, or name of a worker, volunteer,
    client or contractor's contact appears anywhere in what is returned."""
    names = set(SocialWorker.objects.values_list("name", flat=True))
    names |= set(Volunteer.objects.values_list("name", flat=True))
    names |= set(ServiceRecord.objects.exclude(client_name="").values_list("client_name", flat=True))
    names |= set(Contractor.objects.values_list("contact_person", flat=True))
    names |= set(Contractor.objects.values_list("legal_representative", flat=True))
    names |= {u.get_full_name() for u in User.objects.filter(is_machine=False) if u.get_full_name()}
    names = {n for n in names if len(n) >= 2}
    assert len(names) > 10  # the demo has people; the walk must be able to find them
    id_number = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
    phone = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
    for key in (tokens["district"], tokens["municipal"]):
        for path in LISTS + detail_paths(client, key):
            url = path
            while url:
                response = get(client, url, key)
                text = response.content.decode()
                assert not id_number.search(text), (path, id_number.search(text).group())
                assert not phone.search(text), (path, phone.search(text).group())
                found = [n for n in names if n in text]
                assert not found, (path, found[:5])
                body = response.json()
                url = body.get("next") if isinstance(body, dict) else None


def test_chinese_is_utf8_dates_carry_the_offset_money_is_a_decimal_string(client, tokens):
    response = get(client, "/api/v1/contract-years/", tokens["district"])
    assert "东丽".encode() in get(client, "/api/v1/districts/", tokens["district"]).content  # not \\u escapes
    year = response.json()["results"][0]
    assert isinstance(year["amount"], str) and re.fullmatch(r"\d+\.\d{2}", year["amount"])
    assert year["updated_at"].endswith("+08:00")
    assert {"line", "label", "amount"} <= set(year["budget_lines"][0])
    station = get(client, "/api/v1/stations/", tokens["district"]).json()["results"][0]
    assert {"status", "status_label", "plan_year", "workers_posted", "workers_qualified"} <= set(station)


def test_findings_name_their_rule_and_clause(client, tokens):
    rows = every_page(client, "/api/v1/findings/", tokens["district"])
    assert rows and all(
        re.fullmatch(r"R-[A-Z]+-\d+", row["rule_id"]) and "“" in row["clause"] for row in rows
    )


def test_the_rule_catalogue_and_the_parameters_in_force_on_a_date(client, tokens):
    body = get(client, "/api/v1/rules/?on=2024-01-01", tokens["district"]).json()
    assert body["on"] == "2024-01-01"
    assert any(rule["id"] == "R-STAFF-3" for rule in body["rules"])
    assert body["parameters"] and all("value" in p and "rule_id" in p for p in body["parameters"])
    bad = get(client, "/api/v1/rules/?on=yesterday", tokens["district"])
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"


def test_errors_have_one_shape(client, tokens):
    expired = ApiToken.objects.get(pk=tokens["district_token"].pk)
    cases = [
        (get(client, "/api/v1/stations/", "sgz_nothing_here"), 401, "token_invalid"),
        (get(client, "/api/v1/stations/?updated_since=last-week", tokens["district"]), 400, "invalid"),
        (get(client, "/api/v1/stations/999999/", tokens["district"]), 404, "not_found"),
        (client.post("/api/v1/stations/", headers={"Authorization": f"Bearer {tokens['district']}"}), 405,
         "method_not_allowed"),
    ]  # fmt: skip
    for response, status, code in cases:
        assert response.status_code == status, (code, response.content[:200])
        error = response.json()["error"]
        assert (error["status"], error["code"]) == (status, code)
        assert re.search(r"[\u4e00-\u9fff]", error["message"]) and error["message_en"].isascii()
    ApiToken.objects.filter(pk=expired.pk).update(expires_at="2020-01-01T00:00:00+08:00")
    response = get(client, "/api/v1/stations/", tokens["district"])
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"


def test_a_persons_session_does_not_open_the_api(client_as):
    response = client_as("bureau").get("/api/v1/stations/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_etag_answers_not_modified(client, tokens):
    first = get(client, "/api/v1/stations/", tokens["district"])
    again = get(client, "/api/v1/stations/", tokens["district"], **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and not again.content
    detail = get(client, f"/api/v1/stations/{first.json()['results'][0]['id']}/", tokens["district"])
    assert (
        get(
            client, detail.wsgi_request.path, tokens["district"], **{"If-None-Match": detail["ETag"]}
        ).status_code
        == 304
    )


def test_each_token_has_its_rate(client, tokens, settings):
    settings.API_RATE = "3/min"
    for _ in range(3):
        assert get(client, "/api/v1/districts/", tokens["district"]).status_code == 200
    refused = get(client, "/api/v1/districts/", tokens["district"])
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert get(client, "/api/v1/districts/", tokens["municipal"]).status_code == 200  # another token's rate


def test_every_call_is_in_the_audit_log(client, tokens):
    get(client, "/api/v1/stations/?page_size=5", tokens["district"])
    event = AuditEvent.objects.filter(action="api").latest("pk")
    assert event.username.startswith("api-") and event.object_type == "api:stations"
    assert event.summary == "区政务数据共享交换平台：GET /api/v1/stations/?page_size=5，5行"
    get(client, "/api/v1/stations/", tokens["revoked"])  # refused calls are recorded too
    refused = AuditEvent.objects.filter(action="api").latest("pk")
    assert refused.outcome == "failure" and refused.summary == "未通过令牌验证：GET /api/v1/stations/"


def test_lists_are_bounded_in_queries_whatever_the_size(client, tokens, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(
        client, "/api/v1/stations/", tokens["municipal"]
    )  # the token's first call notes when it was last used
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as run:
            assert get(client, "/api/v1/stations/", tokens["municipal"]).status_code == 200
        counts.append(len(run))
        StationFactory.create_batch(30)
    for path in LISTS[:8]:
        with django_assert_max_num_queries(8):
            get(client, path, tokens["municipal"])
    assert counts[0] == counts[1]


def test_a_token_is_issued_by_the_administrator_and_revoked(client_as):
    from django.test import Client

    machine = Client()  # the other system, beside the administrator's browser
    admin = client_as("admin")
    response = admin.post(
        reverse("admin:api_apitoken_add"),
        {"system": "市民政局平台", "district": "", "days": "90"},
        follow=True,
    )
    text = response.content.decode()
    key = re.search(r"sgz_[0-9a-f]{8}_[\w-]+", text).group()
    token = ApiToken.objects.get(system="市民政局平台")
    assert token.key_hash not in text and token.district is None and token.account.role == "municipal"
    assert not token.account.has_usable_password()  # a machine account never signs in
    assert get(machine, "/api/v1/districts/", key).status_code == 200
    revoked = admin.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk], "index": 0},
        follow=True,
    )
    assert "已吊销1个令牌" in revoked.content.decode(), revoked.content.decode()[-3000:]
    assert get(machine, "/api/v1/districts/", key).json()["error"]["code"] == "token_revoked"
    assert AuditEvent.objects.filter(action="api_token", summary__startswith="吊销接口令牌").exists()
    # Only the administrator issues tokens.
    assert client_as("bureau").get(reverse("admin:api_apitoken_add")).status_code in (302, 403)


def test_the_command_issues_a_token_once(capsys, demo_users):
    call_command("issue_api_token", "--system", "数据共享交换平台", "--district", "东丽区", "--by", "admin")
    out = capsys.readouterr().out
    assert "数据共享交换平台（东丽区）：sgz_" in out
    assert ApiToken.objects.get(system="数据共享交换平台").account.role == "bureau"


def test_the_schema_and_its_documentation_page_are_served_from_local_files(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/stations/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", page)  # no CDN
    for asset in re.findall(r"""src=["']([^"']+)["']""", page):
        assert client.get(asset).status_code == 200, asset


def test_the_schema_validates():
    """drf-spectacular's own check, as `make check` runs it: any warning fails."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_a_machine_account_cannot_sign_in_even_with_a_password(client, tokens):
    account = ApiToken.objects.get(pk=tokens["district_token"].pk).account
    account.set_password("given-by-mistake-2026")
    account.save()
    response = client.post(
        "/accounts/login/", {"username": account.username, "password": "given-by-mistake-2026"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
