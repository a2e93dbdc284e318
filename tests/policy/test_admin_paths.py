"""One write path: the Django admin cannot write a record the policy governs around its service.

Every registered admin is declared below — how the policy reaches it — and a model missing from the table fails the
first test. For each, as the bureau (the one business role with the admin): a governed field is not an input on the
change page and a posted value does not land; a governed record is not added or deleted here; every bulk action is one
that calls a service."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.admin_base import ServiceWriteAdmin

# How each registered model is written. "service": a ServiceWriteAdmin (add and change call the service; what the
# service does not change is read-only). "read-only": shown, never written here. A tuple: the fields the policy
# governs, read-only here; the rest are plain record-keeping (contacts, descriptions, staff lists).
# "identity": accounts and access, kept by issue 14's rules (三权分立), not by the plan.
PATHS = {
    "accounts.user": "identity",
    "accounts.accountrequest": "identity",
    "accounts.enrolmentcode": "identity",
    "axes.accessattempt": "identity",
    "axes.accesslog": "identity",
    "axes.accessfailurelog": "identity",
    "otp_totp.totpdevice": "identity",
    # The task queue's runs: the administrator's to read (documents/admin.py), never written in the admin.
    "documents.taskrun": "identity",
    # The read API's tokens: the administrator issues and revokes them through api.services, never edits one.
    "api.apitoken": "identity",
    "core.policyparameter": "service",
    "stations.district": ("code",),
    "stations.rolloutplan": "read-only",
    "stations.street": ("name", "district", "planned_year"),
    "stations.station": ("street",),
    "stations.annualplan": "read-only",
    "stations.siteconditionlog": "read-only",
    "stations.donation": (),  # R-FUND-4 is a record (track): donor, what, value, date, checked by the model
    "contracts.contractor": ("name", "credit_code", "registered_on"),
    "contracts.eligibilityevidence": "service",
    "contracts.procurement": "service",
    "contracts.projectcycle": "read-only",
    "contracts.contractyear": "service",
    "evaluations.evaluation": "read-only",
    "evaluations.renewal": "service",
    "evaluations.scoringitem": "read-only",
    "staffing.socialworker": ("contractor", "district", "employed_on", "left_on", "name", "gender"),
    "staffing.qualification": "service",
    "staffing.posting": "service",
    "staffing.training": "read-only",
    "staffing.supervisionsession": "read-only",
    "staffing.volunteer": ("station", "registered_on", "active"),
    "staffing.volunteerhours": "read-only",
    "reports.report": "read-only",
    "reports.servicerecord": "read-only",
    "reports.remindersent": "read-only",
}
# Bulk actions that call a service (or, for accounts, the identity rules); Django's delete_selected is never offered
# on a governed model.
SERVICE_ACTIONS = {"sign_as_bureau", "accept", "reset_password", "issue_enrolment_code"}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def test_every_admin_model_is_declared_with_its_write_path():
    registered = {_label(model) for model in admin.site._registry}
    assert registered == set(PATHS), (registered - set(PATHS), set(PATHS) - registered)


def _business_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if PATHS[_label(model)] != "identity"
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize("label", sorted(k for k, v in PATHS.items() if v != "identity"))
def test_no_governed_field_is_written_in_the_admin(demo_users, label):
    model = next(m for m in admin.site._registry if _label(m) == label)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = demo_users["bureau"]
    path = PATHS[label]
    obj = model_admin.get_queryset(request).first()
    if path == "service":
        assert isinstance(model_admin, ServiceWriteAdmin), label
        assert not model_admin.has_delete_permission(request, obj)
        if obj is not None:  # on change, only what the service changes is editable
            editable = {f.name for f in model._meta.fields} - set(
                model_admin.get_readonly_fields(request, obj)
            )
            assert editable <= {"id", *model_admin.editable_on_change}, (label, editable)
    elif path == "read-only":
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request, obj), label
        assert not model_admin.has_delete_permission(request, obj), label
    else:
        assert not model_admin.has_delete_permission(request, obj) or not path, label
        assert not model_admin.has_add_permission(request) or not path, label
        assert set(path) <= set(model_admin.get_readonly_fields(request, obj)), label
    actions = set(model_admin.get_actions(request))
    if path == ():
        actions -= {"delete_selected"}  # a plain record: deleting it breaks no rule
    assert actions <= SERVICE_ACTIONS, (label, actions)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_posting_a_governed_field_in_the_admin_changes_nothing(client, demo_users):
    from stations.models import Street

    client.force_login(demo_users["bureau"])
    street = Street.objects.get(name="东丽湖街道")
    url = reverse("admin:stations_street_change", args=[street.pk])
    page = client.get(url).content.decode()
    assert 'name="planned_year"' not in page and 'name="office_name"' in page
    client.post(
        url, {"planned_year": "2030", "office_name": street.office_name, "name": "改名", "district": ""}
    )
    street.refresh_from_db()
    assert (street.planned_year, street.name) == (2023, "东丽湖街道")  # R-PLAN-1 holds


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_the_admin_cannot_back_date_a_worker_leaving_or_move_them_to_another_employer(client, demo_users):
    from contracts.models import Contractor
    from staffing.models import SocialWorker

    worker = SocialWorker.objects.filter(left_on__isnull=True).first()
    client.force_login(demo_users["bureau"])
    url = reverse("admin:staffing_socialworker_change", args=[worker.pk])
    page = client.get(url).content.decode()
    assert 'name="left_on"' not in page and 'name="contractor"' not in page
    other = Contractor.objects.exclude(pk=worker.contractor_id).first()
    client.post(url, {"left_on": "2025-01-01", "contractor": other.pk, "education": worker.education})
    worker.refresh_from_db()
    assert worker.left_on is None and worker.contractor_id != other.pk


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize(
    "admin_name",
    ["stations_siteconditionlog", "stations_annualplan", "staffing_volunteerhours", "staffing_training"],
)
def test_read_only_records_refuse_a_posted_change(client, demo_users, admin_name):
    from django.apps import apps

    app_label, model_name = admin_name.split("_", 1)
    model = apps.get_model(app_label, model_name)
    obj = model.objects.visible_to(demo_users["bureau"]).first()
    client.force_login(demo_users["bureau"])
    before = model.objects.filter(pk=obj.pk).values().get()
    response = client.post(reverse(f"admin:{admin_name}_change", args=[obj.pk]), {"status": "approved"})
    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).values().get() == before
    add = client.get(reverse(f"admin:{admin_name}_add"))
    assert add.status_code == 403


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_PROC_2_evidence_added_in_the_admin_needs_its_document(client, demo_users):
    from contracts.models import Contractor, EligibilityEvidence

    client.force_login(demo_users["bureau"])
    contractor = Contractor.objects.first()
    before = EligibilityEvidence.objects.count()
    response = client.post(
        reverse("admin:contracts_eligibilityevidence_add"),
        {
            "contractor": contractor.pk,
            "condition": "finance",
            "evidence": "审计报告",
            "verified_on": "2026-11-20",
        },
    )
    assert response.status_code == 200 and "R-PROC-2" in response.content.decode()
    assert EligibilityEvidence.objects.count() == before
