"""The URL-by-role walk across two districts (issue 14, point 1): every portal URL with the records of the second
district, as every Dongli account — and the Dongli records as the second district's accounts — never opens; and
every admin change form, as every role, opens only the records of the user's own district."""

import datetime

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from documents.models import ExportJob
from evaluations.models import Evaluation
from reports.models import Report, ReportAttachment, ServiceRecord
from staffing.models import Volunteer
from staffing.volunteer_views import self_report_token
from stations.models import AnnualPlan
from tests.conftest import DEMO_USERNAMES
from tests.security.conftest import SecondDistrict
from tests.test_portal_access import TABLE, demo_ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]
D = datetime.date
SECOND_DISTRICT_ACCOUNTS = ["bureau2", "street2", "org-2"]


def second_ids(second: SecondDistrict) -> dict:
    """Records of the second district, one of each kind the portal's URLs take."""
    cycle = second.station.cycles.get()
    year = cycle.years.get()
    report = Report.objects.create(
        contract_year=year,
        kind="monthly",
        period=D(2026, 8, 1),
        due_date=D(2026, 9, 5),
        status="submitted",
        submitted_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
    )
    attachment = ReportAttachment.objects.create(
        report=report,
        file=ContentFile(b"%PDF-1.4 second", name="b.pdf"),
        original_name="外区.pdf",
        content_type="application/pdf",
        size=15,
        sha256=ReportAttachment.checksum(b"%PDF-1.4 second"),
    )
    evaluation = Evaluation.objects.create(
        contract_year=year, kind="midterm", due_date=D(2027, 1, 31), grade="good", total_score=85
    )
    volunteer = Volunteer.objects.create(
        station=second.station, name="外区志愿者", phone="13900000000", registered_on=D(2026, 8, 1)
    )
    record = ServiceRecord.objects.create(
        station=second.station,
        contract_year=year,
        kind="group",
        area="elderly",
        method="care",
        held_on=D(2026, 9, 1),
        title="外区小组",
        participants=8,
    )
    plan = AnnualPlan.objects.create(
        district=second.district, year=2027, title="二区计划", goals="g", measures="m", timeline="t"
    )
    job = ExportJob.objects.create(
        kind=ExportJob.Kind.ROLLOUT_XLSX, requested_by=second.bureau2, as_of=D(2026, 11, 28), key="second"
    )
    return {
        "job": job.pk,
        "contractor": second.contractor.pk,
        "worker": second.worker.pk,
        "posting": second.worker.postings.get().pk,
        "volunteer": volunteer.pk,
        "token": self_report_token(volunteer),
        "record": record.pk,
        "attachment": attachment.pk,
        "procurement": cycle.procurement_id,
        "plan": plan.pk,
        "station": second.station.pk,
        "cycle": cycle.pk,
        "year": year.pk,
        "evaluation": evaluation.pk,
        "report": report.pk,
    }


def record_urls(ids: dict):
    """(name, url, method) of every portal URL that names a record."""
    for name, row in TABLE.items():
        if not row:
            continue
        build, _expected, method = row
        kwargs = build(ids)
        if not kwargs or set(kwargs) == {"kind"}:
            continue  # a page of the user's own scope, not a record
        yield name, reverse(name, kwargs=kwargs), method


# The municipal bureau reads every district (read-only), and the register of contractors is shared by every district
# (README, Security): the pages of a contractor's own record open for every bureau, its cycles elsewhere do not.
EVERY_DISTRICT = {"municipal"}
SHARED = {"contractor-detail"}


def test_no_dongli_account_opens_a_record_of_the_second_district(client, demo_users, second):
    ids = second_ids(second)
    opened = []
    for username in sorted(set(DEMO_USERNAMES) - EVERY_DISTRICT):
        client.force_login(demo_users[username])
        for name, url, method in record_urls(ids):
            status = getattr(client, method)(url).status_code
            if status not in (403, 404, 405) and name not in SHARED:
                opened.append((username, name, status))
    assert not opened
    client.force_login(demo_users["bureau"])
    page = client.get(reverse("contractor-detail", args=[second.contractor.pk])).content.decode()
    assert second.station.name not in page  # where the contractor works elsewhere is not Dongli's to see


def test_no_second_district_account_opens_a_dongli_record(client, second):
    ids = demo_ids()
    opened = []
    for username in SECOND_DISTRICT_ACCOUNTS:
        client.force_login(User.objects.get(username=username))
        for name, url, method in record_urls(ids):
            status = getattr(client, method)(url).status_code
            if status not in (403, 404, 405) and name not in SHARED:
                opened.append((username, name, status))
    assert not opened


def test_the_second_districts_own_accounts_open_their_own_records(client, second):
    ids = second_ids(second)
    client.force_login(second.bureau2)
    for name in ("station-detail", "report-review", "worker-detail", "evaluation-detail"):
        url = reverse(name, kwargs=TABLE[name][0](ids))
        assert client.get(url).status_code == 200, name
    client.force_login(second.org_user)
    for name in ("report-edit", "worker-detail", "volunteer-detail", "station-detail"):
        url = reverse(name, kwargs=TABLE[name][0](ids))
        assert client.get(url).status_code == 200, name


def _visible_pk(model_admin, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return set(model_admin.get_queryset(request).values_list("pk", flat=True)[:2000])


def test_every_admin_change_form_opens_only_the_records_of_the_users_own_district(client, demo_users, second):
    """For every model in the admin: a record the second district's bureau sees and Dongli's bureau does not is not
    opened by Dongli's bureau (the admin answers "does not exist", a redirect to its index), and the reverse; the
    other roles do not enter the business pages at all."""
    second_ids(second)
    bureau, bureau2 = demo_users["bureau"], second.bureau2
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        mine, theirs = _visible_pk(model_admin, bureau), _visible_pk(model_admin, bureau2)
        for user, foreign in ((bureau, theirs - mine), (bureau2, mine - theirs)):
            for pk in sorted(foreign)[:1]:
                client.force_login(user)
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
                response = client.get(url)
                assert response.status_code in (302, 403), (user.username, url, response.status_code)
                if response.status_code == 302:
                    assert response["Location"] == reverse("admin:index"), url
                checked += 1
        # Roles outside the admin site never reach a business change form.
        any_pk = next(iter(mine | theirs), None)
        # accounts and the kernel are the administrator's; so are the task queue's runs (a task path and a job
        # number, no case data: documents/admin.py).
        if any_pk is None or opts.app_label in ("accounts", "core", "django_tasks_database"):
            continue
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[any_pk])
        for username in ("municipal", "auditor", "zhangguizhuang", "org-a", "admin"):
            client.force_login(demo_users[username])
            status = client.get(url).status_code
            assert status in (302, 403), (username, url, status)
    assert checked > 20
