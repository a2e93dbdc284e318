"""Importing the spreadsheets people keep: a messy roster reads, one bad row refuses the whole file naming row and
column, and imports keep to the importer's scope."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import cells
from documents.cells import CellError
from documents.imports import RosterResource, SiteConditionResource, VolunteerResource
from staffing.models import Qualification, SocialWorker, Volunteer
from stations.models import SiteConditionLog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021年7月1日", datetime.date(2021, 7, 1)),
        ("2021.7.1", datetime.date(2021, 7, 1)),
        ("2021/07/01", datetime.date(2021, 7, 1)),
        ("２０２１－０７－０１", datetime.date(2021, 7, 1)),
        (44378, datetime.date(2021, 7, 1)),
        (datetime.datetime(2021, 7, 1, tzinfo=datetime.UTC).replace(tzinfo=None), datetime.date(2021, 7, 1)),
    ],
)
def test_dates_written_by_hand_are_read(raw, expected):
    assert cells.date(raw) == expected


def test_an_id_number_excel_rounded_is_explained():
    with pytest.raises(CellError, match="后几位已丢失"):
        cells.id_number(1.2011019900101123e17)  # as Excel stores 120110199001011235 typed as a number


def test_the_messy_roster_imports_every_row(demo_users):
    before = SocialWorker.objects.count()
    result = RosterResource().run(
        (FIXTURES / "roster-messy.xlsx").read_bytes(), demo_users["org-a"], commit=True
    )
    assert result.ok, [str(e) for e in result.errors]
    assert result.saved == 4 and SocialWorker.objects.count() == before + 4
    zhao = SocialWorker.objects.get(name="赵丽")  # the spaces inside the name dropped
    assert zhao.phone == "13812345601" and zhao.employed_on == datetime.date(2025, 7, 1)
    qian = SocialWorker.objects.get(name="钱伟")
    assert qian.id_number.isascii() and qian.phone == "13812345602"  # full-width digits made half-width
    sun = SocialWorker.objects.get(name="孙悦")  # ID and phone stored as numbers
    assert sun.id_number == "120110199501017000" and sun.phone == "13812345603"
    li = SocialWorker.objects.get(name="李强")  # an Excel serial number as the date
    assert li.employed_on == datetime.date(2025, 7, 1)
    assert Qualification.objects.get(worker=li).level == "assistant"  # 助理社工师
    assert Qualification.objects.get(worker=zhao).obtained_on == datetime.date(2024, 6, 20)
    assert all(
        w.contractor.memberships.filter(user__username="org-a").exists() for w in (zhao, qian, sun, li)
    )


def test_one_bad_row_refuses_the_file_naming_row_and_column_and_nothing_is_saved(demo_users):
    before = (SocialWorker.objects.count(), Qualification.objects.count())
    result = RosterResource().run(
        (FIXTURES / "roster-one-bad-row.xlsx").read_bytes(), demo_users["org-a"], commit=True
    )
    assert [str(e) for e in result.errors] == [
        "第6行“入职日期”（H列）：“2025年13月1日”不是有效日期（2025年没有13月1日）。"
    ]
    assert (SocialWorker.objects.count(), Qualification.objects.count()) == before


def test_a_row_refused_by_the_service_names_its_row_and_saves_nothing(demo_users):
    content = (FIXTURES / "roster-messy.xlsx").read_bytes()
    RosterResource().run(content, demo_users["org-a"], commit=True)
    count = SocialWorker.objects.count()
    again = RosterResource().run(content, demo_users["org-a"], commit=True)
    assert again.errors and again.errors[0].row == 4 and "身份证号" in str(again.errors[0])
    assert SocialWorker.objects.count() == count


def test_volunteers_import_from_a_gb18030_csv_within_scope(demo_users):
    content = (FIXTURES / "volunteers.csv").read_bytes()
    result = VolunteerResource().run(content, demo_users["org-a"], commit=True)
    assert result.ok and result.saved == 2
    assert Volunteer.objects.get(name="周敏").phone == "13912345671"
    # org-b does not hold 张贵庄: the same file is refused row by row, naming the station column.
    refused = VolunteerResource().run(content, demo_users["org-b"], commit=True)
    assert {(e.row, e.column) for e in refused.errors} == {(2, "社工站"), (3, "社工站")}


def test_a_dry_run_previews_without_saving(demo_users):
    before = SocialWorker.objects.count()
    result = RosterResource().run(
        (FIXTURES / "roster-messy.xlsx").read_bytes(), demo_users["org-a"], commit=False
    )
    assert result.ok and len(result.rows) == 4 and result.saved == 0
    assert SocialWorker.objects.count() == before


def test_the_import_pages_preview_then_confirm(client_as):
    client = client_as("org-a")
    assert client.get(reverse("import-template", args=["roster"])).status_code == 200
    upload = SimpleUploadedFile("花名册.xlsx", (FIXTURES / "roster-messy.xlsx").read_bytes())
    page = client.post(reverse("import", args=["roster"]), {"file": upload})
    text = page.content.decode()
    assert "全部可以导入" in text and "赵丽" in text and "确认导入" in text
    assert "120110199103052221"[:17] not in text  # ID numbers masked in the preview
    token = page.context["token"]
    before = SocialWorker.objects.count()
    response = client.post(reverse("import-confirm", args=["roster"]), {"token": token})
    assert response.status_code == 302 and SocialWorker.objects.count() == before + 4
    assert client.post(reverse("import-confirm", args=["roster"]), {"token": token}).status_code == 404
    bad = SimpleUploadedFile("bad.xlsx", (FIXTURES / "roster-one-bad-row.xlsx").read_bytes())
    assert (
        "第6行“入职日期”" in client.post(reverse("import", args=["roster"]), {"file": bad}).content.decode()
    )


def test_imports_keep_to_roles(client_as):
    assert client_as("zhangguizhuang").get(reverse("import", args=["roster"])).status_code == 403
    assert client_as("org-a").get(reverse("import", args=["site-conditions"])).status_code == 403
    assert client_as("bureau").get(reverse("import", args=["nothing"])).status_code == 404


def test_site_conditions_import_for_the_street(demo_users):
    from io import BytesIO

    from openpyxl import Workbook

    importer = SiteConditionResource()
    book = Workbook()
    sheet = book.active
    sheet.append(["张贵庄街道场所检查表"])
    sheet.append([c.label for c in importer.get_columns()])
    sheet.append(["张贵庄街道", "2026年11月20日", *["是"] * (len(importer.get_columns()) - 3), "复查"])
    buffer = BytesIO()
    book.save(buffer)
    before = SiteConditionLog.objects.count()
    assert importer.run(buffer.getvalue(), demo_users["zhangguizhuang"], commit=True).ok
    assert SiteConditionLog.objects.count() == before + 1
    refused = importer.run(buffer.getvalue(), demo_users["fengniancun"], commit=True)
    assert refused.errors[0].column == "社工站"


def test_a_big_import_is_saved_by_a_worker_all_or_nothing(
    client_as, settings, django_capture_on_commit_callbacks
):
    """Issue 19: a confirmed import above IMPORT_JOB_ROWS rows leaves the request; the worker saves it through the
    same Resource and services, in one transaction, and the job page says what was saved — or which rows were
    wrong, with nothing saved."""
    from audit.models import AuditEvent
    from documents.models import ExportJob

    settings.IMPORT_JOB_ROWS = 2
    client = client_as("org-a")
    upload = SimpleUploadedFile("花名册.xlsx", (FIXTURES / "roster-messy.xlsx").read_bytes())
    token = client.post(reverse("import", args=["roster"]), {"file": upload}).context["token"]
    before = SocialWorker.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import-confirm", args=["roster"]), {"token": token})
    job = ExportJob.objects.get(kind="import")
    assert response.status_code == 302 and response["Location"] == f"/exports/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "done" and job.params["saved"] == 4, job.error
    assert SocialWorker.objects.count() == before + 4
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    assert "共4行，已转为后台导入" in page and "已导入4行" in page and reverse("worker-list") in page
    assert AuditEvent.objects.filter(
        action="import", username="org-a", summary="导入社工花名册：4行"
    ).exists()
    assert not list((settings.EXPORT_ROOT).glob("import-*"))  # the file is not kept once imported
    assert client_as("org-b").get(f"/exports/jobs/{job.pk}/").status_code == 404  # the uploader's alone

    client = client_as("org-a")
    bad = SimpleUploadedFile("bad.xlsx", (FIXTURES / "roster-one-bad-row.xlsx").read_bytes())
    token = client.post(reverse("import", args=["roster"]), {"file": bad}).context["token"]
    before = SocialWorker.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import-confirm", args=["roster"]), {"token": token})
    failed = ExportJob.objects.filter(kind="import").latest("pk")
    assert failed.status == "failed" and SocialWorker.objects.count() == before
    assert "未保存任何数据" in failed.error and "第6行“入职日期”（H列）" in failed.error
    page = client.get(f"/exports/jobs/{failed.pk}/").content.decode()
    assert "修改文件后重新上传" in page
