"""Everyday use (issue 17): site checks with photos and history, the contractor's way from its home page to the
report owed, owed reports in the list, a new report that starts from what is owed, filters that fold, and a form
that survives an expired page. Through the test client as the role that uses each."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from contracts.models import ContractYear
from reports.models import Report
from stations.models import SiteConditionLog, SiteConditionPhoto, Station

pytestmark = pytest.mark.usefixtures("story_day")


def jpeg(width=1200, height=900) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def zgz(db):
    return Station.objects.get(street__name="张贵庄街道")


def check(client, station, day, **present):
    from stations.services import CHECK_FIELDS

    data = {"logged_on": day, "notes": ""}
    data.update({name: "on" for name in CHECK_FIELDS if present.get(name, True)})
    return client.post(f"/stations/{station.pk}/site-logs/new/", data)


def test_a_new_site_check_starts_from_the_last_one(client_as, zgz):
    client = client_as("zhangguizhuang")
    check(client, zgz, "2026-11-20", has_printer=False, system_archive=False)
    form = client.get(f"/stations/{zgz.pk}/site-logs/new/").context["form"]
    assert form["has_printer"].value() is False
    assert form["system_archive"].value() is False
    assert form["has_computer"].value() is True
    assert "预先勾选" in client.get(f"/stations/{zgz.pk}/site-logs/new/").content.decode()


def test_the_station_page_lists_past_checks_with_what_changed(client_as, zgz):
    client = client_as("zhangguizhuang")
    check(client, zgz, "2026-11-20", has_printer=False)
    check(client, zgz, "2026-11-27", has_computer=False)
    page = client.get(f"/stations/{zgz.pk}/").content.decode()
    history = page.split('id="tab-site"')[1].split('class="tab-pane')[0]
    newest = history.split("<section")[1]
    assert "2026年11月27日" in newest
    assert re.search(r"新具备：[^<]*打印机", newest)
    assert re.search(r"不再具备：[^<]*电脑", newest)
    assert "2026年11月20日" in history


def test_site_photos_show_as_thumbnails_that_open_full_size(client_as, zgz):
    client = client_as("zhangguizhuang")
    photo = SimpleUploadedFile("现场.jpg", jpeg(), content_type="image/jpeg")
    response = client.post(
        f"/stations/{zgz.pk}/site-logs/new/",
        {"logged_on": "2026-11-27", "has_office_room": "on", "photos": photo},
    )
    assert response.status_code == 302
    stored = SiteConditionPhoto.objects.get(log__station=zgz)
    page = client.get(f"/stations/{zgz.pk}/").content.decode()
    assert f"/files/site-photo/{stored.pk}/?view=thumb" in page
    assert f"/files/site-photo/{stored.pk}/?view=full" in page
    assert "现场照片 1 张" not in page

    thumb = client.get(f"/files/site-photo/{stored.pk}/?view=thumb")
    assert thumb["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320
    full = client.get(f"/files/site-photo/{stored.pk}/?view=full")
    assert full["Content-Disposition"].startswith("inline")
    assert b"".join(full.streaming_content) == stored.file.open("rb").read()
    # Another street may not see it, as thumbnail or in full.
    assert client_as("fengniancun").get(f"/files/site-photo/{stored.pk}/?view=thumb").status_code == 404


def test_the_camera_opens_directly_on_a_phone(client_as, zgz):
    page = client_as("zhangguizhuang").get(f"/stations/{zgz.pk}/site-logs/new/").content.decode()
    assert re.search(r'<input[^>]*accept="image/\*"[^>]*capture="environment"', page) or re.search(
        r'<input[^>]*capture="environment"[^>]*accept="image/\*"', page
    )


def test_every_home_item_of_the_contractor_links_to_its_action(client_as):
    page = client_as("org-a").get("/").content.decode()
    due = page.split("本月及31天内到期")[1].split("<tbody>")[1].split("</table>")[0]
    rows = re.findall(r"<tr>.*?</tr>", due, re.S)
    assert rows
    for row in rows:
        assert "/reports/new/?year=" in row or "/staffing/" in row or "/stations/" in row
    findings = page.split("需要处理的问题")[1].split("</table>")[0]
    assert "/reports/new/?year=" in findings  # 新立's overdue October brief
    returned = client_as("org-b").get("/").content.decode().split("退回待修改的报告")[1].split("</ul>")[0]
    report = Report.objects.get(
        status=Report.Status.RETURNED, contract_year__station__street__name="丰年村街道"
    )
    assert f"/reports/{report.pk}/" in returned


def test_from_the_overdue_item_to_a_draft_of_the_right_brief(client_as):
    client = client_as("org-a")
    page = client.get("/").content.decode()
    link = re.search(r'href="(/reports/new/\?year=\d+&amp;kind=monthly&amp;period=2026-10)"', page).group(1)
    form = client.get(link.replace("&amp;", "&")).context["form"]
    year = ContractYear.objects.get(pk=form.initial["contract_year"])
    assert year.station.street.name == "新立街道"
    assert form.initial["period"] == "2026-10"
    response = client.post(
        "/reports/new/", {"contract_year": year.pk, "kind": "monthly", "period": "2026-10"}, follow=True
    )
    report = Report.objects.get(contract_year=year, kind="monthly", period=datetime.date(2026, 10, 1))
    assert response.redirect_chain[-1][0] == f"/reports/{report.pk}/"
    # The same link now opens the draft instead of offering a second one.
    again = client.get(link.replace("&amp;", "&"))
    assert again.status_code == 302 and again["Location"] == f"/reports/{report.pk}/"


def test_a_new_report_offers_held_stations_newest_years_first_and_the_month_owed(client_as):
    form = client_as("org-a").get("/reports/new/").context["form"]
    years = list(form.fields["contract_year"].queryset)
    assert years
    assert "丰年村街道" not in {y.station.street.name for y in years}  # lost to org-b in 2023
    starts = [y.start_date for y in years]
    assert starts == sorted(starts, reverse=True)
    assert form.initial["kind"] == "monthly"
    assert form.initial["period"] == "2026-10"  # the oldest month owed: 新立's October brief
    page = client_as("org-a").get("/reports/new/").content.decode()
    assert re.search(r'type="month"[^>]*name="period"|name="period"[^>]*type="month"', page)


def test_owed_briefs_appear_in_the_report_list_as_not_submitted_or_overdue(client_as, zgz):
    # 张贵庄's November brief not started yet (the demo has a draft of it): due on 5 December, not yet late.
    Report.objects.filter(contract_year__station=zgz, period=datetime.date(2026, 11, 1)).delete()
    page = client_as("org-a").get("/reports/").content.decode()
    owed = page.split("应交未交")[1].split("</table>")[0]
    assert "已逾期" in owed and "2026年10月月度工作简报" in owed
    assert "未提交" in owed and "2026年11月月度工作简报" in owed
    only_owed = client_as("org-a").get("/reports/?status=owed").content.decode()
    assert "应交未交" in only_owed and "暂无报告" not in only_owed
    bureau = client_as("bureau").get("/reports/?status=owed").content.decode()
    assert "新立街道社会工作服务站" in bureau.split("应交未交")[1]
    assert "/reports/new/" not in bureau  # the bureau sees what is owed, it does not write it
    # org-b owes nothing of org-a's.
    assert "新立街道" not in client_as("org-b").get("/reports/?status=owed").content.decode()


def test_a_street_with_one_station_sees_no_station_filter(client_as):
    for path in ("/stations/", "/reports/"):
        page = client_as("zhangguizhuang").get(path).content.decode()
        assert 'name="station"' not in page
    assert 'id="portal-filters"' in client_as("bureau").get("/stations/").content.decode()


def test_filters_fold_behind_one_button_that_counts_them(client_as):
    page = client_as("bureau").get("/reports/?kind=monthly&status=submitted").content.decode()
    assert re.search(r'data-bs-target="#portal-filters"', page)
    assert re.search(r'id="portal-filters" class="[^"]*collapse d-sm-block', page)
    assert re.search(r"筛选\s*<span class=\"badge[^\"]*\">2</span>", page)


def test_the_menu_closes_and_a_skip_link_leads_to_the_content(client_as):
    page = client_as("bureau").get("/").content.decode()
    assert 'data-bs-dismiss="offcanvas"' in page
    assert re.search(r'<a class="portal-skip[^"]*" href="#main">跳到正文</a>', page)
    assert '<main class="portal-main" id="main"' in page


def test_an_expired_page_keeps_what_was_typed_and_gives_it_back(demo_users, zgz):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_users["zhangguizhuang"])
    before = SiteConditionLog.objects.filter(station=zgz).count()
    client.get(f"/stations/{zgz.pk}/site-logs/new/")
    response = client.post(
        f"/stations/{zgz.pk}/site-logs/new/",
        {
            "csrfmiddlewaretoken": "stale" * 8,
            "logged_on": "2026-11-26",
            "notes": "门牌已更换",
            "has_computer": "on",
        },
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面已过期" in page and "您填写的内容已保留" in page and "portal.css" in page
    assert SiteConditionLog.objects.filter(station=zgz).count() == before
    again = client.get(f"/stations/{zgz.pk}/site-logs/new/")
    form = again.context["form"]
    assert form["notes"].value() == "门牌已更换"
    assert str(form["logged_on"].value()) == "2026-11-26"
    assert "已填回您上次未能提交的内容" in again.content.decode()
    # Once only: the next visit starts afresh.
    assert client.get(f"/stations/{zgz.pk}/site-logs/new/").context["form"]["notes"].value() in (None, "")


def test_an_expired_session_sends_to_login_and_back_to_the_form(db, zgz):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/stations/{zgz.pk}/site-logs/new/", {"csrfmiddlewaretoken": "x" * 32, "notes": "a"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "登录已过期" in page
    assert f"/accounts/login/?next=%2Fstations%2F{zgz.pk}%2Fsite-logs%2Fnew%2F" in page
    assert "dongli" not in page  # no password or token echoed


def test_people_served_that_contradicts_its_table_is_refused_and_nothing_saved(client_as):
    from tests.portal.test_reports import form_data, returned_brief

    brief = returned_brief()
    before = (brief.people_served, brief.highlights, brief.figures.count())
    response = client_as("org-b").post(
        f"/reports/{brief.pk}/", form_data(brief, action="save", people_served="300", highlights="改了")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "people_served" in errors
    assert "300" in errors["people_served"][0] and "60" in errors["people_served"][0]
    assert "R-SVC-1" in errors["people_served"][0]
    brief.refresh_from_db()
    assert (brief.people_served, brief.highlights, brief.figures.count()) == before


def test_people_served_left_blank_is_the_total_of_its_table(client_as):
    from tests.portal.test_reports import form_data, returned_brief

    brief = returned_brief()
    response = client_as("org-b").post(
        f"/reports/{brief.pk}/", form_data(brief, action="save", people_served="")
    )
    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.people_served == 60


def test_the_demo_briefs_agree_with_their_tables(db):
    from django.db.models import Sum

    from reports.models import Report

    for report in Report.objects.annotate(total=Sum("figures__people")):
        assert report.people_served == (report.total or 0), report
