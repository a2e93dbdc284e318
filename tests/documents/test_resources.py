"""Issue 18: django-import-export is what runs — the imports' preview and confirmation are the Resource's
import_data, every list page's ?export=xlsx is exported by a Resource — and every exported sheet prints on A4
landscape, one page wide, its header row repeated."""

import io
from unittest import mock

import pytest
from openpyxl import load_workbook

from core.exports import ListResource
from documents.imports import SheetResource
from tests.documents.test_roster_as_kept import roster

pytestmark = pytest.mark.usefixtures("story_day")

# Every list page with an export, and an account that may open it.
LIST_EXPORTS = [
    ("bureau", "/stations/"),
    ("bureau", "/findings/"),
    ("bureau", "/reports/"),
    ("bureau", "/staffing/workers/"),
    ("bureau", "/staffing/volunteers/"),
    ("bureau", "/service-records/"),
    ("org-a", "/staffing/workers/"),
    ("zhangguizhuang", "/reports/"),
    ("auditor", "/audit/"),
]


def test_the_import_page_previews_and_confirms_through_the_resource(client_as):
    client = client_as("org-a")
    with mock.patch.object(
        SheetResource, "import_data", autospec=True, side_effect=SheetResource.import_data
    ) as spy:
        upload = io.BytesIO(roster())
        upload.name = "花名册.xlsx"
        page = client.post("/exports/imports/roster/", {"file": upload})
        assert page.status_code == 200 and page.context["result"].ok
        assert spy.call_args.kwargs["dry_run"] is True
        token = page.context["token"]
        confirm = client.post("/exports/imports/roster/confirm/", {"token": token})
        assert confirm.status_code == 302
        assert spy.call_args.kwargs["dry_run"] is False
    assert spy.call_count == 2


@pytest.mark.parametrize(("username", "path"), LIST_EXPORTS)
def test_every_list_export_goes_through_its_resource(client_as, username, path):
    with mock.patch.object(ListResource, "export", autospec=True, side_effect=ListResource.export) as spy:
        response = client_as(username).get(f"{path}?export=xlsx")
        content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert spy.called
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"  # the header row, under the line naming the export


def test_list_exports_keep_dates_as_dates_and_money_as_numbers(client_as):
    import datetime

    response = client_as("bureau").get("/stations/?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in sheet[2]]
    first = [cell.value for cell in sheet[3]]
    assert isinstance(first[headers.index("建成日期")], datetime.datetime)
    assert isinstance(first[headers.index("合同金额（元）")], int | float)


def test_the_rollout_workbook_prints_too(client_as):
    response = client_as("bureau").get("/exports/rollout.xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.print_title_rows, sheet.title
