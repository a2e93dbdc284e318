"""The contractor's reports: a returned brief corrected and resubmitted, attachments checked by content."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports.models import Report, ReportAttachment
from reports.services import figures_from_records

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def returned_brief() -> Report:
    return Report.objects.get(contract_year__station__street__name="丰年村街道", status="returned")


def form_data(report: Report, **extra) -> dict:
    data = {
        "people_served": "60",  # 12 cells of 5: the table's total (R-SVC-1)
        "volunteer_hours": "30",
        "news_posts": "2",
        "highlights": "核对个案人次",
        "problems": "",
        "next_plan": "继续",
    }
    for figure in ["social_assistance", "elderly", "children", "community_governance"]:
        for kind in ["case", "group", "community"]:
            data[f"fig_{figure}_{kind}_sessions"] = "1"
            data[f"fig_{figure}_{kind}_people"] = "5"
    data.update(extra)
    return data


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_REP_3_returned_brief_is_corrected_resubmitted_and_accepted(client_as, uploads_in_tmp):
    brief = returned_brief()
    url = reverse("report-edit", args=[brief.pk])
    page = client_as("org-b").get(url).content.decode()
    assert "服务数据与个案记录不一致" in page  # the bureau's comment is shown
    response = client_as("org-b").post(
        url,
        form_data(
            brief,
            action="submit",
            attachments=[SimpleUploadedFile("活动照片说明.pdf", PDF, "application/pdf")],
        ),
    )
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.status == "submitted" and brief.figures.count() == 12
    attachment = brief.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.file.path.startswith(
        str(uploads_in_tmp)
    )
    download = client_as("fengniancun").get(reverse("file-download", args=["report", attachment.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert client_as("org-a").get(reverse("file-download", args=["report", attachment.pk])).status_code == 404
    client_as("bureau").post(reverse("report-review", args=[brief.pk]), {"decision": "accepted"})
    assert Report.objects.get(pk=brief.pk).status == "accepted"


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03" + b"\0" * 200, "application/pdf"),
            "不是允许的类型",
        ),
        (SimpleUploadedFile("empty.pdf", b"", "application/pdf"), "空文件"),
    ],
)
def test_bad_attachments_are_refused_in_chinese_and_leave_nothing(client_as, uploads_in_tmp, upload, message):
    brief = returned_brief()
    before = brief.figures.count(), ReportAttachment.objects.count()
    response = client_as("org-b").post(
        reverse("report-edit", args=[brief.pk]), form_data(brief, action="save", attachments=[upload])
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert (brief.figures.count(), ReportAttachment.objects.count()) == before
    assert not uploads_in_tmp.exists() or not any(uploads_in_tmp.rglob("*.*"))


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_an_oversized_attachment_is_refused(client_as, settings, uploads_in_tmp):
    from core import uploads

    brief = returned_brief()
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * (uploads.DEFAULT_LIMIT + 1 - len(PDF)), "application/pdf"
    )
    response = client_as("org-b").post(
        reverse("report-edit", args=[brief.pk]), form_data(brief, action="save", attachments=[big])
    )
    assert "超过20MB的上限" in response.content.decode()
    assert not ReportAttachment.objects.filter(report=brief).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_SVC_1_a_brief_is_filled_from_the_months_service_records():
    brief = Report.objects.filter(
        contract_year__station__street__name="张贵庄街道",
        period__isnull=False,
        period__year=2026,
        period__month=10,
    ).first()
    figures = figures_from_records(brief)
    assert figures and all(sessions >= 1 for sessions, _ in figures.values())


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_an_accepted_briefs_figures_reach_the_station_totals_and_the_dashboard(client_as):
    brief = returned_brief()
    client_as("org-b").post(reverse("report-edit", args=[brief.pk]), form_data(brief, action="submit"))
    client_as("bureau").post(reverse("report-review", args=[brief.pk]), {"decision": "accepted"})
    station_page = client_as("bureau").get(reverse("station-detail", args=[brief.contract_year.station_id]))
    assert "月度服务数据" in station_page.content.decode()
    totals = {row["report__period"]: row for row in station_page.context["service_totals"]}
    assert totals[brief.period]["sessions"] == 12 and totals[brief.period]["people"] == 60
    dashboard = client_as("bureau").get("/")
    october = {row["report__period"]: row for row in dashboard.context["service_totals"]}[brief.period]
    assert october["people"] >= 60 and "全区月度服务数据" in dashboard.content.decode()
