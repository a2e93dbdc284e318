"""Issue 18, point 4: every admin list the bureau and the administrator may see exports through a Resource, only
the rows of their scope, choices as labels, personal identifiers masked; the admin links to the portal's import
where one exists for the model."""

import io
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from openpyxl import load_workbook

from staffing.models import SocialWorker

pytestmark = pytest.mark.usefixtures("story_day")


def admin_lists(client) -> list[str]:
    page = client.get("/admin/").content.decode()
    return sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', page)))


def export(client, changelist: str):
    response = client.post(f"{changelist}export/", {"format": "0", "export_items": [], "resource": "0"})
    return response


@pytest.mark.parametrize("username", ["bureau", "admin"])
def test_every_admin_list_offers_an_export_that_answers(client_as, username):
    client = client_as(username)
    lists = admin_lists(client)
    assert lists
    for changelist in lists:
        page = client.get(changelist).content.decode()
        assert f'href="{changelist}export/' in page, changelist
        form = client.get(f"{changelist}export/")
        assert form.status_code == 200, changelist


def test_the_bureaus_worker_export_is_scoped_masked_and_in_chinese(client_as):
    client = client_as("bureau")
    url = reverse("admin:staffing_socialworker_export")
    form = client.get(url).context["form"]
    fields = {name: "on" for name in form.fields if name.startswith("socialworkerexportresource_")}
    response = client.post(url, {"format": "0", "resource": "0", **fields})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    visible = SocialWorker.objects.visible_to(client_as("bureau").get("/").wsgi_request.user).count()
    assert len(rows) == visible
    assert not any("digest" in str(h) for h in headers)
    id_column = headers.index("身份证号")
    assert all("*" in str(row[id_column]) for row in rows)
    gender = headers.index("性别")
    assert {row[gender] for row in rows} <= {"男", "女"}


def test_the_admin_links_to_the_portal_import_where_one_exists(client_as):
    page = client_as("bureau").get(reverse("admin:staffing_training_changelist")).content.decode()
    assert 'href="/exports/imports/training/"' in page
    page = client_as("bureau").get(reverse("admin:staffing_socialworker_changelist")).content.decode()
    assert "/exports/imports/roster/" not in page  # the roster is the contractor's to import


def test_every_registered_admin_exports():
    from core.admin_base import PortalExportMixin

    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, PortalExportMixin)
        and model._meta.app_label not in ("otp_totp", "axes", "auth")
    ]
    assert missing == []
