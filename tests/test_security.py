"""Security and reliability, each point of the issue a test: personal data encrypted at rest, the audit log
append-only and complete, sessions that end, passwords that are strong, roles kept apart, headers on every page."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from audit.models import AppendOnly, AuditEvent
from reports.models import ServiceRecord
from staffing.models import SocialWorker, Volunteer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - names are constants
        return cursor.fetchone()[0]


def test_the_stored_column_of_an_id_number_is_not_the_plain_number():
    worker = SocialWorker.objects.exclude(id_number="").first()
    stored = raw("staffing_socialworker", "id_number", worker.pk)
    assert worker.id_number.isdigit() or worker.id_number[-1] == "X"
    assert stored != worker.id_number and worker.id_number not in stored and stored.startswith("gAAAAA")
    assert worker.phone not in raw("staffing_socialworker", "phone", worker.pk)
    volunteer = Volunteer.objects.first()
    assert volunteer.phone not in raw("staffing_volunteer", "phone", volunteer.pk)
    record = ServiceRecord.objects.exclude(client_id_number="").first()
    assert record.client_id_number not in raw("reports_servicerecord", "client_id_number", record.pk)
    history = worker.history.first()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number FROM staffing_historicalsocialworker WHERE history_id = %s", [history.pk]
        )
        assert worker.id_number not in cursor.fetchone()[0]


def test_one_record_per_person_holds_on_the_encrypted_number():
    worker = SocialWorker.objects.first()
    twin = SocialWorker(
        contractor=worker.contractor,
        district=worker.district,
        name="重复",
        gender="F",
        id_number=worker.id_number,
        phone="13800000000",
        employed_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_application(client_as):
    client_as("bureau")
    event = AuditEvent.objects.create(action="export", username="x")
    event.summary = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


def test_the_database_refuses_to_change_or_delete_a_young_audit_row():
    """The triggers of audit/migrations/0002, installed inside this test's transaction (the test profile leaves
    them out so that tests can flush tables)."""
    import importlib

    guard = importlib.import_module("audit.migrations.0002_append_only")
    event = AuditEvent.objects.create(action="login", username="x")
    guard.install(connection)
    for sql in (
        "UPDATE audit_auditevent SET summary = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(Exception, match=r"append-only|183 days"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_logins_failures_exports_downloads_and_refusals_are_audited(client):
    client.post(reverse("login"), {"username": "bureau", "password": "wrong-password"})
    assert AuditEvent.objects.filter(action="login_failed", username="bureau", outcome="failure").exists()
    client.post(reverse("login"), {"username": "bureau", "password": "dongli-demo-2021"})
    login = AuditEvent.objects.filter(action="login", username="bureau").latest("pk")
    assert login.ip == "127.0.0.1" and login.role == "bureau"
    client.get(reverse("export-rollout-xlsx"))
    assert AuditEvent.objects.filter(action="export", username="bureau").exists()
    client.get(reverse("audit-log"))
    assert AuditEvent.objects.filter(action="denied", username="bureau", object_id="403").exists()
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="logout", username="bureau").exists()


def test_every_business_change_is_audited_with_its_user(client_as):
    report = (
        __import__("reports.models", fromlist=["Report"]).Report.objects.filter(status="submitted").first()
    )
    client_as("bureau").post(reverse("report-review", args=[report.pk]), {"decision": "accepted"})
    event = AuditEvent.objects.filter(
        action="update", object_type="reports.report", object_id=str(report.pk)
    ).latest("pk")
    assert event.username == "bureau" and event.ip == "127.0.0.1"


def test_the_auditor_reads_and_exports_the_log_and_nothing_else(client_as):
    auditor = client_as("auditor")
    assert auditor.get(reverse("audit-log") + "?action=login").status_code == 200
    assert auditor.get(reverse("audit-log") + "?export=xlsx").status_code == 200
    assert auditor.get(reverse("station-list")).status_code == 403
    station = __import__("stations.models", fromlist=["Station"]).Station.objects.first()
    assert auditor.get(reverse("station-detail", args=[station.pk])).status_code == 403
    for username in ("bureau", "admin", "org-a", "zhangguizhuang", "municipal"):
        assert client_as(username).get(reverse("audit-log")).status_code == 403


def test_admin_cannot_open_a_report(client_as):
    report = __import__("reports.models", fromlist=["Report"]).Report.objects.first()
    admin = client_as("admin")
    assert admin.get(reverse("report-edit", args=[report.pk])).status_code == 403
    assert admin.get(reverse("report-review", args=[report.pk])).status_code == 403
    assert admin.get(f"/admin/reports/report/{report.pk}/change/").status_code in (302, 403, 404)
    assert admin.get("/admin/reports/report/").status_code in (302, 403, 404)


def test_purge_never_deletes_rows_younger_than_183_days():
    from django.core.management import call_command

    young = AuditEvent.objects.create(action="login", username="x")
    old = AuditEvent.objects.create(
        action="login", username="y", at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    call_command("purge_audit")
    assert (
        AuditEvent.objects.filter(pk=young.pk).exists() and not AuditEvent.objects.filter(pk=old.pk).exists()
    )


# --- authentication and sessions -----------------------------------------------------------------------------------

LOGIN = {"username": "zhangguizhuang", "password": "dongli-demo-2021"}


def signed_in(client) -> bool:
    response = client.get(reverse("rules"))
    return response.status_code == 200


def test_the_6th_bad_password_locks_the_account_at_that_address_and_31_minutes_later_it_opens(
    client, story_day
):
    for _ in range(5):
        client.post(reverse("login"), {**LOGIN, "password": "Wrong-pass-1"})
    throttled = client.post(reverse("login"), LOGIN)  # at once: the name must wait before its next try
    assert not signed_in(client) and "秒后再试" in throttled.content.decode()
    story_day.shift(datetime.timedelta(seconds=3))
    refused = client.post(reverse("login"), LOGIN)  # the right password, but this address is locked out
    assert not signed_in(client) and refused.status_code in (403, 429)
    assert AuditEvent.objects.filter(action="lockout", username="zhangguizhuang").exists()
    story_day.shift(datetime.timedelta(minutes=31))
    client.post(reverse("login"), LOGIN)
    assert signed_in(client)


def test_an_idle_session_expires_after_30_minutes(client, story_day):
    client.post(reverse("login"), LOGIN)
    story_day.shift(datetime.timedelta(minutes=29))
    assert signed_in(client)  # activity renews the idle timer
    story_day.shift(datetime.timedelta(minutes=29))
    assert signed_in(client)
    story_day.shift(datetime.timedelta(minutes=31))
    assert not signed_in(client)


def test_a_session_ends_12_hours_after_login_however_busy(client, story_day):
    client.post(reverse("login"), LOGIN)
    for _ in range(28):  # a request every 25 minutes: 11 h 40 min
        story_day.shift(datetime.timedelta(minutes=25))
        assert signed_in(client)
    story_day.shift(datetime.timedelta(minutes=25))
    assert not signed_in(client)


def test_the_session_cookie_is_dead_after_logout_and_other_sessions_end_too(client, story_day):
    from django.test import Client

    other = Client()
    client.post(reverse("login"), LOGIN)
    other.post(reverse("login"), LOGIN)
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert not signed_in(replay)
    assert not signed_in(other)  # logging out ends every session of the user


def test_disabling_an_account_ends_its_sessions(client, demo_users):
    client.post(reverse("login"), LOGIN)
    assert signed_in(client)
    user = demo_users["zhangguizhuang"]
    user.is_active = False
    user.save()
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "至少"),  # too short
        ("dongliminzheng", "至少3类"),  # one class
        ("dongli20211128", "至少3类"),  # two classes
        ("zhangguizhuang-1", "相似"),  # like the username
        ("Password123", "常见"),  # in the list of common passwords whatever its case
    ],
)
def test_a_weak_password_is_refused(demo_users, password, reason):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password(password, demo_users["zhangguizhuang"])
    assert any(reason in message for message in refused.value.messages), refused.value.messages


def test_a_password_older_than_90_days_must_be_changed_first(client, story_day, demo_users):
    client.post(reverse("login"), LOGIN)
    user = demo_users["zhangguizhuang"]
    type(user).objects.filter(pk=user.pk).update(
        password_changed_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC)
    )
    response = client.get(reverse("rules"))
    assert response.status_code == 302 and response["Location"] == reverse("password-change")
    changed = client.post(
        reverse("password-change"),
        {
            "old_password": "dongli-demo-2021",
            "new_password1": "Dongli-Street-2026",
            "new_password2": "Dongli-Street-2026",
        },
    )
    assert changed.status_code == 302 and signed_in(client)


def test_every_html_response_carries_csp_and_nosniff(client_as, client):
    from tests.test_portal_access import TABLE, demo_ids

    ids = demo_ids()
    pages = [reverse("login")]
    for name, row in TABLE.items():
        if row and row[2] == "get" and row[1].get("bureau") == 200:
            pages.append(reverse(name, kwargs=row[0](ids)))
    bureau = client_as("bureau")
    checked = 0
    for url in pages:
        response = (client if url == reverse("login") else bureau).get(url)
        assert response["X-Content-Type-Options"] == "nosniff", url
        if response["Content-Type"].startswith("text/html"):
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
            assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin"
            checked += 1
    assert checked >= 20


# --- concurrency ---------------------------------------------------------------------------------------------------


def test_two_people_editing_one_report_the_second_save_is_refused(client_as):
    from django.test import Client

    from tests.portal.test_reports import form_data

    brief = __import__("reports.models", fromlist=["Report"]).Report.objects.get(
        contract_year__station__street__name="丰年村街道", status="returned"
    )
    url = reverse("report-edit", args=[brief.pk])
    from accounts.models import User

    first, second = client_as("org-b"), Client()
    second.force_login(User.objects.get(username="org-b"))
    version = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == version
    assert (
        first.post(
            url, form_data(brief, action="save", highlights="第一位同事的修改", version=version)
        ).status_code
        == 302
    )
    refused = second.post(
        url, form_data(brief, action="save", highlights="第二位同事的修改", version=version)
    )
    assert refused.status_code == 200 and "为避免覆盖对方的修改，本次未保存" in refused.content.decode()
    brief.refresh_from_db()
    assert brief.highlights == "第一位同事的修改"


def test_two_officers_recording_one_evaluation_the_second_is_refused(client_as):
    from evaluations.models import Evaluation
    from evaluations.selectors import DEFAULT_SHEET as SCORE_ITEMS

    year = (
        __import__("contracts.models", fromlist=["ContractYear"])
        .ContractYear.objects.filter(station__street__name="张贵庄街道")
        .latest("start_date")
    )
    url = reverse("evaluation-new", args=[year.pk, "midterm"])
    data = {
        "held_on": "2026-11-27",
        "evaluator": "中心",
        "grade": "fail",
        **{f"score_{i}": "5" for i in range(len(SCORE_ITEMS))},
    }
    client = client_as("bureau")
    assert client.post(url, data).status_code == 302
    version = client.get(url).context["form"]["version"].value()
    assert client.post(url, {**data, "version": version, "summary": "甲"}).status_code == 302
    refused = client.post(url, {**data, "version": version, "summary": "乙"})
    assert "本次未保存" in refused.content.decode()
    assert Evaluation.objects.get(contract_year=year, kind="midterm").summary == "甲"


# --- two-factor login ----------------------------------------------------------------------------------------------


def totp_now(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_two_factor_is_required_for_the_bureau_under_production_settings(client, settings, demo_users):
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_REQUIRED_ROLES = {"bureau", "admin", "auditor"}
    client.post(reverse("login"), {"username": "bureau", "password": "dongli-demo-2021"})
    response = client.get(reverse("station-list"))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor-setup")
    # The first enrolment starts with the code the administrator issued, handed over in person.
    from accounts.services import enrolment_code_issue

    code = enrolment_code_issue(user=demo_users["bureau"], actor=demo_users["admin"])
    assert "启用码" in client.get(reverse("two-factor-setup")).content.decode()
    client.post(reverse("two-factor-setup"), {"code": code})
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=demo_users["bureau"], confirmed=False)
    assert client.post(reverse("two-factor-setup"), {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code slows the next attempts down (throttling); the clock is frozen here
    assert client.post(reverse("two-factor-setup"), {"token": totp_now(device)}).status_code == 302
    assert client.get(reverse("station-list")).status_code == 200

    other = Client()
    other.post(reverse("login"), {"username": "bureau", "password": "dongli-demo-2021"})
    assert other.get(reverse("station-list"))["Location"] == reverse("two-factor-verify")
    assert other.get(reverse("two-factor-setup"))["Location"] == reverse(
        "two-factor-verify"
    )  # no second phone
    assert "验证码不正确" in other.post(reverse("two-factor-verify"), {"token": "123456"}).content.decode()
    device.refresh_from_db()
    device.last_t = -1  # the same code may not be used twice; this is another login a moment later
    device.save()
    device.throttle_reset()
    assert other.post(reverse("two-factor-verify"), {"token": totp_now(device)}).status_code == 302
    assert other.get(reverse("station-list")).status_code == 200
    # A street officer is not required to use it.
    street = Client()
    street.post(reverse("login"), LOGIN)
    assert signed_in(street)


def test_two_factor_is_optional_in_the_demo(client):
    client.post(reverse("login"), {"username": "bureau", "password": "dongli-demo-2021"})
    assert client.get(reverse("station-list")).status_code == 200


def test_the_full_id_number_is_shown_only_on_request_to_owner_and_bureau_and_audited(client_as):
    worker = SocialWorker.objects.filter(
        contractor__memberships__user__username="org-a", postings__isnull=False
    ).first()
    url = reverse("worker-detail", args=[worker.pk])
    assert worker.id_number not in client_as("org-a").get(url).content.decode()
    assert worker.id_number in client_as("org-a").get(url + "?reveal=1").content.decode()
    assert AuditEvent.objects.filter(action="unmask", username="org-a", object_id=str(worker.pk)).exists()
    assert worker.id_number in client_as("bureau").get(url + "?reveal=1").content.decode()
    street = client_as("zhangguizhuang").get(url + "?reveal=1")
    assert street.status_code in (200, 404) and worker.id_number not in street.content.decode()


def test_two_officers_deciding_one_renewal_the_second_is_refused(client_as, demo_users):
    """Two officers, each in a browser of their own, open the decision form for the same year and both submit: the
    first renews, the second is told a decision exists (R-CYCLE-2) — never a second next year, never a 500. Without
    the service's conflict check the second would reach the database's one-decision-per-year constraint and fail."""
    from decimal import Decimal

    from django.test import Client

    from contracts.models import ContractYear
    from tests.policy.conftest import budget, funding

    year = ContractYear.objects.get(station__street__name="华明街道", start_date=datetime.date(2025, 7, 1))
    evaluation = year.evaluations.get(kind="final")
    client_as("bureau").post(reverse("evaluation-sign", args=[evaluation.pk]))
    amount = Decimal("250000.00")
    data = {
        "decision": "renew",
        "amount": str(amount),
        "signed_on": "2026-11-28",
        **{f"line_{k}": str(v) for k, v in budget(amount).items()},
        **{f"source_{k}": str(v) for k, v in funding(amount).items()},
    }
    url = reverse("contract-year-decide", args=[year.pk])
    from tests.factories import UserFactory

    colleague = UserFactory(username="bureau-colleague", role="bureau")
    year.station.street.district.staff.add(colleague)
    first, second = Client(), Client()
    first.force_login(demo_users["bureau"])
    second.force_login(colleague)
    assert (
        first.get(url).status_code == 200 and second.get(url).status_code == 200
    )  # both see the open decision
    assert first.post(url, data).status_code == 302
    refused = second.post(url, data)
    assert refused.status_code == 200 and "已有续签决定" in refused.content.decode()
    # Opened again, the year shows the decision taken instead of a form.
    again = second.get(url)
    assert again.status_code == 302 and "已作出决定" in second.get(again["Location"]).content.decode()
    assert ContractYear.objects.filter(cycle=year.cycle).count() == 2
