"""Upload attacks, each refused in Chinese with nothing left behind: a renamed executable, HTML or SVG carrying
script, an oversized file, a path in the file name, a zip bomb dressed as a Word file; and a failure between
storing the file and saving its record leaves neither."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Report, ReportAttachment
from tests.portal.test_reports import PDF, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


def returned_brief() -> Report:
    return Report.objects.get(contract_year__station__street__name="丰年村街道", status="returned")


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml", b"0" * (300 * 1024 * 1024)
        )  # 300 MB of zeros, a few hundred KB packed
    return buffer.getvalue()


def post(client_as, upload):
    brief = returned_brief()
    return client_as("org-b").post(
        reverse("report-edit", args=[brief.pk]), form_data(brief, action="save", attachments=[upload])
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 500, "不是允许的类型"),
        ("report.pdf", b"<html><script>alert(document.cookie)</script></html>", "不是允许的类型"),
        (
            "chart.png",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "不是允许的类型",
        ),
        ("chart.svg", b'<?xml version="1.0"?><svg onload="alert(1)"/>', "不是允许的类型"),
        ("plan.docx", None, "压缩炸弹"),
    ],
)
def test_hostile_files_are_refused_and_leave_nothing(client_as, uploads_in_tmp, name, content, message):
    before = ReportAttachment.objects.count()
    response = post(client_as, SimpleUploadedFile(name, content if content is not None else zip_bomb()))
    assert response.status_code == 200 and message in response.content.decode()
    assert ReportAttachment.objects.count() == before
    assert not uploads_in_tmp.exists() or not any(p.is_file() for p in uploads_in_tmp.rglob("*"))


def test_the_size_limit_is_a_setting(client_as, settings, uploads_in_tmp):
    settings.UPLOAD_MAX_MB = 1
    response = post(client_as, SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024)))
    assert "超过1MB的上限" in response.content.decode()


def test_a_path_in_the_file_name_goes_nowhere(client_as, uploads_in_tmp):
    post(client_as, SimpleUploadedFile("../../../etc/cron.d/evil.pdf", PDF))
    attachment = ReportAttachment.objects.latest("pk")
    stored = attachment.file.path
    assert (
        stored.startswith(str(uploads_in_tmp)) and "evil" not in stored and ".." not in attachment.file.name
    )
    assert "/" not in attachment.original_name and ".." not in attachment.original_name
    download = client_as("bureau").get(reverse("file-download", args=["report", attachment.pk]))
    assert (
        download["Content-Disposition"].startswith("attachment")
        and "/" not in download["Content-Disposition"]
    )


def test_a_failure_after_storing_the_file_leaves_neither_file_nor_record(
    client_as, uploads_in_tmp, monkeypatch
):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("数据库写入失败")

    monkeypatch.setattr(ReportAttachment, "save", broken_save)
    before = ReportAttachment.objects.count()
    with pytest.raises(RuntimeError):
        post(client_as, SimpleUploadedFile("ok.pdf", PDF))
    assert ReportAttachment.objects.count() == before
    assert not any(p.is_file() for p in uploads_in_tmp.rglob("*"))
