"""Every URL of the portal, as every role: 200 where the role may, 403 for a forbidden action, 404 for a
record outside the user's scope, login for anonymous visitors. One table says who may do what; a URL
missing from the table fails the test."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contracts.models import ContractYear, Procurement, ProjectCycle
from evaluations.models import Evaluation
from reports.models import Report, ReportAttachment, ServiceRecord
from staffing.models import Posting, Volunteer
from staffing.volunteer_views import self_report_token
from stations.models import AnnualPlan, Station
from tests.conftest import DEMO_USERNAMES

ALL = set(DEMO_USERNAMES)
BUSINESS = {"bureau", "municipal", "zhangguizhuang", "fengniancun", "org-a", "org-b"}
CONTRACTOR_WORKSPACE = {"bureau", "zhangguizhuang", "fengniancun", "org-a", "org-b"}
ZGZ_READERS = {"bureau", "zhangguizhuang", "org-a"}  # who reads 张贵庄's people and services
OK, FORBIDDEN, NOT_FOUND, REDIRECT = 200, 403, 404, 302


def demo_ids():
    """Records of 张贵庄 (held by org-a, seen by zhangguizhuang) to walk the detail URLs with."""
    station = Station.objects.get(street__name="张贵庄街道")
    cycle = ProjectCycle.objects.filter(station=station).order_by("-start_date").first()
    year = ContractYear.objects.filter(station=station).order_by("-start_date").first()
    evaluation = Evaluation.objects.filter(contract_year__station=station).exclude(grade="").first()
    report = Report.objects.filter(contract_year__station=station, status="submitted").first()
    procurement = Procurement.objects.filter(station=station).first()
    plan = AnnualPlan.objects.get(year=2027)
    attachment = ReportAttachment.objects.create(
        report=report,
        file=ContentFile(b"%PDF-1.4 demo", name="brief.pdf"),
        original_name="简报.pdf",
        content_type="application/pdf",
        size=13,
        sha256=ReportAttachment.checksum(b"%PDF-1.4 demo"),
    )
    posting = Posting.objects.filter(cycle=cycle, end_date__isnull=True).select_related("worker").first()
    volunteer = Volunteer.objects.filter(station=station).first()
    record = ServiceRecord.objects.filter(station=station, contract_year__cycle=cycle).first()
    job = finished_export_job()
    return {
        "job": job.pk,
        "contractor": cycle.contractor_id,
        "worker": posting.worker_id,
        "posting": posting.pk,
        "volunteer": volunteer.pk,
        "token": self_report_token(volunteer),
        "record": record.pk,
        "attachment": attachment.pk,
        "procurement": procurement.pk,
        "plan": plan.pk,
        "station": station.pk,
        "cycle": cycle.pk,
        "year": year.pk,
        "evaluation": evaluation.pk,
        "report": report.pk,
    }


def finished_export_job():
    """The bureau's finished rollout workbook, its file in the export folder."""
    import datetime

    from django.conf import settings

    from accounts.models import User
    from documents.models import ExportJob

    folder = settings.EXPORT_ROOT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.xlsx").write_bytes(b"PK\x03\x04 demo")
    return ExportJob.objects.create(
        kind=ExportJob.Kind.ROLLOUT_XLSX,
        requested_by=User.objects.get(username="bureau"),
        as_of=datetime.date(2026, 11, 28),
        key="demo",
        status=ExportJob.Status.DONE,
        file="demo.xlsx",
        filename="社工站建设进展-20261128.xlsx",
        size=16,
        done=1,
        total=1,
    )


def expect(
    ok: set[str], not_found: set[str] = frozenset(), redirect: set[str] = frozenset()
) -> dict[str, int]:
    """Who gets 200, who 404 (outside their scope), who a redirect; every other account gets 403."""
    return {
        u: OK if u in ok else NOT_FOUND if u in not_found else REDIRECT if u in redirect else FORBIDDEN
        for u in ALL
    }


# URL name -> (kwargs builder, expected status per account, method)
TABLE = {
    "home": (
        lambda ids: {},
        expect(ALL - {"zhangguizhuang", "fengniancun"}, redirect={"zhangguizhuang", "fengniancun"}),
        "get",
    ),
    "station-list": (lambda ids: {}, expect(BUSINESS), "get"),
    "station-detail": (
        lambda ids: {"pk": ids["station"]},
        expect({"bureau", "municipal", "zhangguizhuang", "org-a"}, {"fengniancun", "org-b"}),
        "get",
    ),
    "finding-list": (lambda ids: {}, expect(BUSINESS), "get"),
    "rules": (lambda ids: {}, expect(ALL), "get"),
    "parameter-change": (lambda ids: {}, expect({"bureau"}), "get"),
    "training-new": (lambda ids: {}, expect({"bureau"}), "get"),
    "scoring-sheets": (
        lambda ids: {},
        expect({"bureau", "municipal", "zhangguizhuang", "fengniancun"}),
        "get",
    ),
    "cycle-terminate": (lambda ids: {"pk": ids["cycle"]}, expect({"bureau"}), "get"),
    "evaluation-report": (lambda ids: {"pk": ids["evaluation"]}, dict.fromkeys(ALL, 405), "get"),
    "report-review": (
        lambda ids: {"pk": ids["report"]},
        expect({"bureau", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "site-log-new": (
        lambda ids: {"pk": ids["station"]},
        expect({"bureau", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "contract-year-sign": (lambda ids: {"pk": ids["cycle"]}, expect({"bureau"}), "get"),
    "posting-new": (lambda ids: {"pk": ids["cycle"]}, expect({"bureau", "org-a"}, {"org-b"}), "get"),
    "evaluation-detail": (
        lambda ids: {"pk": ids["evaluation"]},
        expect({"bureau", "municipal", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "evaluation-sign": (lambda ids: {"pk": ids["evaluation"]}, dict.fromkeys(ALL, 405), "get"),
    "evaluation-new": (lambda ids: {"pk": ids["year"], "kind": "midterm"}, expect({"bureau"}), "get"),
    "contract-year-decide": (lambda ids: {"pk": ids["year"]}, expect({"bureau"}), "get"),
    "procurement-new": (
        lambda ids: {"pk": ids["station"]},
        expect({"bureau", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "procurement-award": (
        lambda ids: {"pk": ids["procurement"]},
        expect({"bureau", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "record-history": (
        lambda ids: {"label": "contracts.contractyear", "pk": ids["year"]},
        expect({"bureau"}),
        "get",
    ),
    "report-list": (
        lambda ids: {},
        expect({"bureau", "zhangguizhuang", "fengniancun", "org-a", "org-b"}),
        "get",
    ),
    "report-new": (lambda ids: {}, expect({"org-a", "org-b"}), "get"),
    "report-edit": (lambda ids: {"pk": ids["report"]}, expect({"org-a"}, {"org-b"}), "get"),
    "report-submit": (lambda ids: {"pk": ids["report"]}, dict.fromkeys(ALL, 405), "get"),
    "file-download": (
        lambda ids: {"kind": "report", "pk": ids["attachment"]},
        expect({"bureau", "zhangguizhuang", "org-a"}, {"fengniancun", "org-b"}),
        "get",
    ),
    "annual-plan-list": (lambda ids: {}, expect({"bureau", "municipal"}), "get"),
    "annual-plan-new": (lambda ids: {}, expect({"bureau"}), "get"),
    "annual-plan-edit": (lambda ids: {"pk": ids["plan"]}, expect({"bureau"}), "get"),
    "annual-plan-submit": (lambda ids: {"pk": ids["plan"]}, dict.fromkeys(ALL, 405), "get"),
    "annual-plan-review": (lambda ids: {"pk": ids["plan"]}, expect({"bureau"}), "get"),
    "worker-list": (lambda ids: {}, expect(CONTRACTOR_WORKSPACE), "get"),
    "worker-new": (lambda ids: {}, expect({"org-a", "org-b"}), "get"),
    "worker-detail": (
        lambda ids: {"pk": ids["worker"]},
        expect(ZGZ_READERS, {"fengniancun", "org-b"}),
        "get",
    ),
    "qualification-new": (lambda ids: {"pk": ids["worker"]}, expect({"bureau", "org-a"}, {"org-b"}), "get"),
    "worker-leave": (lambda ids: {"pk": ids["worker"]}, expect({"org-a"}, {"org-b"}), "get"),
    "posting-end": (lambda ids: {"pk": ids["posting"]}, expect({"bureau", "org-a"}, {"org-b"}), "get"),
    "training-list": (lambda ids: {}, expect(CONTRACTOR_WORKSPACE), "get"),
    "supervision-new": (lambda ids: {"pk": ids["station"]}, expect({"bureau", "org-a"}, {"org-b"}), "get"),
    "volunteer-list": (lambda ids: {}, expect(CONTRACTOR_WORKSPACE), "get"),
    "volunteer-new": (lambda ids: {}, expect({"org-a", "org-b"}), "get"),
    "volunteer-detail": (
        lambda ids: {"pk": ids["volunteer"]},
        expect(ZGZ_READERS, {"fengniancun", "org-b"}),
        "get",
    ),
    "volunteer-hours-new": (lambda ids: {"pk": ids["volunteer"]}, expect({"org-a"}, {"org-b"}), "get"),
    "volunteer-incentive-new": (lambda ids: {"pk": ids["volunteer"]}, expect({"org-a"}, {"org-b"}), "get"),
    "volunteer-insurance-new": (lambda ids: {"pk": ids["volunteer"]}, expect({"org-a"}, {"org-b"}), "get"),
    "volunteer-hours-verify": (lambda ids: {}, dict.fromkeys(ALL, 405), "get"),
    "volunteer-link-renew": (lambda ids: {"pk": ids["volunteer"]}, dict.fromkeys(ALL, 405), "get"),
    "volunteer-active": (lambda ids: {"pk": ids["volunteer"]}, dict.fromkeys(ALL, 405), "get"),
    "service-record-list": (lambda ids: {}, expect(CONTRACTOR_WORKSPACE), "get"),
    "service-record-new": (lambda ids: {}, expect({"org-a", "org-b"}), "get"),
    "service-record-detail": (
        lambda ids: {"pk": ids["record"]},
        expect(ZGZ_READERS, {"fengniancun", "org-b"}),
        "get",
    ),
    "contractor-list": (lambda ids: {}, expect({"bureau"}), "get"),
    "contractor-new": (lambda ids: {}, expect({"bureau"}), "get"),
    "contractor-detail": (lambda ids: {"pk": ids["contractor"]}, expect({"bureau"}), "get"),
    "export-rollout-xlsx": (lambda ids: {}, expect({"bureau", "municipal"}), "get"),
    "export-rollout-pdf": (lambda ids: {}, expect({"bureau", "municipal"}), "get"),
    "export-ocds": (lambda ids: {}, expect({"bureau"}), "get"),
    # Everyone who exports lists has jobs (a big list is one) and sees only their own; the bureaus start the rest.
    "export-jobs": (lambda ids: {}, expect(ALL - {"admin"}), "get"),
    "export-job-new": (lambda ids: {}, expect({"bureau", "municipal"}), "get"),
    "export-job": (lambda ids: {"pk": ids["job"]}, expect({"bureau"}, ALL - {"admin", "bureau"}), "get"),
    "export-job-file": (lambda ids: {"pk": ids["job"]}, expect({"bureau"}, ALL - {"admin", "bureau"}), "get"),
    "export-job-retry": (lambda ids: {"pk": ids["job"]}, dict.fromkeys(ALL, 405), "get"),
    "import": (lambda ids: {"kind": "roster"}, expect({"org-a", "org-b"}), "get"),
    "import-template": (lambda ids: {"kind": "roster"}, expect({"org-a", "org-b"}), "get"),
    "import-confirm": (lambda ids: {"kind": "roster"}, dict.fromkeys(ALL, 405), "get"),
    "export-evaluation-pdf": (
        lambda ids: {"pk": ids["evaluation"]},
        expect({"bureau", "municipal", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "export-annual-plan-pdf": (
        lambda ids: {"pk": ids["plan"]},
        expect({"bureau"}, {"municipal"}),
        "get",
    ),  # a draft
    "export-dossier-pdf": (
        lambda ids: {"pk": ids["station"]},
        expect({"bureau", "municipal", "zhangguizhuang"}, {"fengniancun"}),
        "get",
    ),
    "audit-log": (lambda ids: {}, expect({"auditor"}), "get"),
    "account-requests": (lambda ids: {}, expect({"auditor", "bureau"}), "get"),
    # Public by design: the volunteer's own link, signed; tested in tests/portal/test_staff.py.
    "volunteer-self-report": None,
    "password-change": (lambda ids: {}, expect(ALL), "get"),
    "two-factor-setup": (lambda ids: {}, expect(ALL), "get"),
    "two-factor-verify": (lambda ids: {}, expect(ALL), "get"),
    # The framework's own pages, tested elsewhere (tests/test_pages.py): login, logout, language, health.
    "login": None,
    "logout": None,
    "set_language": None,
    "healthz": None,
}


def portal_url_names(patterns=None) -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            # The admin has its own walk; the read API answers tokens, not sessions (tests/api walks it as every token).
            if getattr(pattern, "namespace", None) in ("admin", "api"):
                continue
            names |= portal_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_url_is_in_the_table():
    assert portal_url_names() == set(TABLE)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize("name", sorted(n for n, row in TABLE.items() if row))
def test_every_url_as_every_role(client, demo_users, name):
    build, expected, method = TABLE[name]
    url = reverse(name, kwargs=build(demo_ids()))
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code in (302, 405) and (
        anonymous.status_code == 405 or "/accounts/login/" in anonymous.headers["Location"]
    ), (name, "anonymous")
    for username in sorted(ALL):
        client.force_login(demo_users[username])
        response = getattr(client, method)(url)
        assert response.status_code == expected[username], (name, username, response.status_code)
        client.logout()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_pages_show_only_records_in_scope(client_as):
    text = client_as("org-b").get(reverse("station-list")).content.decode()
    assert "丰年村街道社会工作服务站" in text and "张贵庄街道社会工作服务站" not in text
    text = client_as("zhangguizhuang").get(reverse("finding-list")).content.decode()
    assert "张贵庄" in text and "金桥街道" not in text
    text = client_as("bureau").get(reverse("station-list")).content.decode()
    assert text.count("社会工作服务站</a>") == 11


# --- POST-only URLs: who may post them ----------------------------------------------------------------------------
# A role that may act gets its redirect (302, the outcome shown as a message on the next page), a record outside its
# scope 404, a role that may not act 403. Every POST-only URL of the portal is here (the test below fails otherwise).


def post_data(name: str, ids: dict) -> dict:
    if name == "volunteer-hours-verify":
        from staffing.models import VolunteerHours

        entry = VolunteerHours.objects.filter(volunteer_id=ids["volunteer"]).first()
        return {"entry": [entry.pk], "decision": "verify"}
    if name == "volunteer-active":
        return {"active": "1"}
    return {}


POST_TABLE = {
    "evaluation-sign": (
        lambda ids: {"pk": ids["evaluation"]},
        expect(set(), {"fengniancun"}, {"bureau", "zhangguizhuang"}),
    ),
    "evaluation-report": (lambda ids: {"pk": ids["evaluation"]}, expect(set(), set(), {"bureau"})),
    "report-submit": (lambda ids: {"pk": ids["report"]}, expect(set(), {"org-b"}, {"org-a"})),
    "annual-plan-submit": (lambda ids: {"pk": ids["plan"]}, expect(set(), set(), {"bureau"})),
    "volunteer-hours-verify": (lambda ids: {}, expect(set(), {"org-b"}, {"org-a"})),
    "volunteer-link-renew": (lambda ids: {"pk": ids["volunteer"]}, expect(set(), {"org-b"}, {"org-a"})),
    "volunteer-active": (lambda ids: {"pk": ids["volunteer"]}, expect(set(), {"org-b"}, {"org-a"})),
    # A finished job is not run again: its owner goes back to it; anyone else is told it does not exist.
    "export-job-retry": (
        lambda ids: {"pk": ids["job"]},
        expect(set(), ALL - {"admin", "bureau"}, {"bureau"}),
    ),
    # Without a previewed file there is nothing to confirm: the contractors, who may import, get 404.
    "import-confirm": (lambda ids: {"kind": "roster"}, expect(set(), {"org-a", "org-b"})),
}


def test_every_post_only_url_is_in_the_post_table():
    post_only = {name for name, row in TABLE.items() if row and set(row[1].values()) == {405}}
    assert post_only == set(POST_TABLE)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize("name", sorted(POST_TABLE))
def test_every_post_only_url_as_every_role(client, demo_users, name):
    build, expected = POST_TABLE[name]
    ids = demo_ids()
    url = reverse(name, kwargs=build(ids))
    anonymous = client.post(url, post_data(name, ids))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], name
    for username in sorted(ALL):
        client.force_login(demo_users[username])
        response = client.post(url, post_data(name, ids))
        assert response.status_code == expected[username], (name, username, response.status_code)
        client.logout()
