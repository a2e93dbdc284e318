"""The portal's public surface so far: login in Chinese, everything else behind it, the admin for admin and bureau."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# The read API's schema and documentation page describe it to other systems' developers; they hold no data.
PUBLIC = {"/accounts/login/", "/admin/login/", "/healthz", "/api/v1/schema/", "/api/v1/docs/"}


def concrete_paths(patterns=None, prefix=""):
    """Every URL of the URL conf without parameters (those with parameters are walked per record elsewhere)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from concrete_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route and "^" not in route:
            yield "/" + prefix + route


@pytest.mark.django_db
def test_login_page_answers_in_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    text = response.content.decode()
    assert "登录" in text and "用户名" in text and "密码" in text


@pytest.mark.django_db
def test_a_wrong_password_is_refused_in_chinese(client):
    response = client.post("/accounts/login/", {"username": "bureau", "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.django_db
def test_every_other_page_sends_an_anonymous_visitor_to_login(client):
    paths = set(concrete_paths())
    assert "/" in paths
    for path in sorted(paths - PUBLIC):
        response = client.get(path)
        if path.startswith("/api/"):  # the read API answers a machine: 401 and why, in its JSON shape
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "not_authenticated", path
            continue
        assert response.status_code == 302, path
        location = response.headers["Location"]
        assert location.startswith("/accounts/login/") or location.startswith("/admin/login/"), (
            path,
            location,
        )


@pytest.mark.django_db
def test_healthz_answers_without_login(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["admin", "bureau"])
def test_admin_site_accepts_admin_and_bureau(client_as, username):
    assert client_as(username).get("/admin/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["municipal", "auditor", "zhangguizhuang", "org-a"])
def test_admin_site_refuses_other_roles(client_as, username):
    response = client_as(username).get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_admin_login_form_accepts_the_demo_admin(client):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "dongli-demo-2021"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_manages_accounts_but_reads_no_case_data(client_as):
    client = client_as("admin")
    assert client.get("/admin/accounts/user/").status_code == 200
    # 三权分立: the policy parameters are the bureau's (they show on /rules/ to everyone).
    assert client.get("/admin/core/policyparameter/").status_code == 403
    for path in ["/admin/stations/station/", "/admin/reports/report/", "/admin/staffing/socialworker/"]:
        assert client.get(path).status_code == 403, path


@pytest.mark.django_db
def test_every_model_has_an_admin_page_for_the_bureau(client_as):
    from django.contrib import admin

    client = client_as("bureau")
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {
            "core",
            "accounts",
            "stations",
            "contracts",
            "staffing",
            "evaluations",
            "reports",
        }:
            continue  # third-party admin pages (login attempts) belong to the audit issue
        if getattr(model_admin, "admin_roles", None) == frozenset({"admin"}) or (
            model._meta.app_label == "accounts" and model._meta.model_name == "user"
        ):
            assert client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/").status_code == 403
            continue  # accounts and mail operation are the administrator's (separation of duties)
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        response = client.get(url)
        assert response.status_code == 200, url
        # Searching and filtering work too.
        if model_admin.search_fields:
            assert client.get(url, {"q": "张贵庄"}).status_code == 200, url


def test_every_portal_model_is_registered_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    portal_models = {
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {"core", "accounts", "stations", "contracts", "staffing", "evaluations", "reports"}
        and not m._meta.proxy
        and not m.__name__.startswith("Historical")
    }
    unregistered = {m.__name__ for m in portal_models if m not in admin.site._registry}
    # Kept as inlines of their parent's page rather than on their own.
    inline_only = {
        "SiteConditionPhoto",
        "BudgetLine",
        "FundingAllocation",
        "TrainingRecord",
        "VolunteerIncentive",
        "VolunteerInsurance",
        "EvaluationScore",
        "ReportFigure",
        "ReportReview",
        "ReportAttachment",
        "ServiceRecordPhoto",
        "ContractorStaff",
        "EligibilityDocument",
    }
    assert unregistered == inline_only


@pytest.mark.django_db
def test_bureau_admin_change_page_of_a_record_outside_its_district_is_not_found(client_as):
    from tests.factories import StationFactory

    other = StationFactory()
    response = client_as("bureau").get(f"/admin/stations/station/{other.pk}/change/")
    assert response.status_code == 302  # the admin redirects "does not exist" to the index with a message
    assert (
        client_as("bureau").get(f"/admin/stations/station/{other.pk}/change/", follow=True).status_code == 200
    )


@pytest.mark.django_db
def test_the_frame_and_the_labels_switch_to_english(client_as):
    client = client_as("bureau")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/stations/"})
    assert response.status_code == 302
    page = client.get("/stations/").content.decode()
    assert 'lang="en"' in page
    for english in (
        "Social Work Station Portal",
        "Findings",
        "Annual implementation plans",
        "Export to Excel",
        "Log out",
    ):
        assert english in page, english
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "整改问题" in client.get("/stations/").content.decode()


@pytest.mark.django_db
def test_chinese_whatever_the_browser_prefers_until_the_user_switches(client_as):
    client = client_as("bureau")
    page = client.get("/stations/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "整改问题" in page
