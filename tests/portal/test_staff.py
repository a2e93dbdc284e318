"""The contractor's staff, volunteers and service records, through the pages: masked personal data, the R-STAFF-3
deadline with days left, volunteer hours refused when impossible or overlapping, verified by station staff, and
photos behind the record's scope."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.validators import id_check_digit
from reports.models import ServiceRecord, ServiceRecordPhoto
from staffing.models import SocialWorker, Volunteer, VolunteerHours
from staffing.volunteer_views import self_report_token
from stations.models import District
from tests.synthetic import synthetic_stations


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def valid_id(body: str = "12011019900101123") -> str:
    return body + id_check_digit(body)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("story_day")]


def test_a_worker_is_registered_with_a_checked_id_number_and_shown_masked(client_as):
    number = valid_id()
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    data = {
        "name": "测试社工",
        "gender": "M" if int(number[16]) % 2 else "F",  # GB 11643: the 17th character's parity
        "id_number": full_width,
        "phone": "13812345678",
        "education": "本科",
        "major": "社会工作",
        "employed_on": "2026-11-01",
    }
    bad = client_as("org-a").post(reverse("worker-new"), {**data, "id_number": number[:17] + "0"})
    assert "身份证号校验位不正确" in bad.content.decode()
    assert not SocialWorker.objects.filter(name="测试社工").exists()
    response = client_as("org-a").post(reverse("worker-new"), data)
    worker = SocialWorker.objects.get(name="测试社工")
    assert (
        response.status_code == 302
        and worker.id_number == number
        and worker.contractor.name == "东丽区启航社会工作服务中心"
    )
    page = client_as("org-a").get(reverse("worker-list") + "?q=测试").content.decode()
    assert "测试社工" in page and number not in page and "138****5678" in page
    assert number not in client_as("org-a").get(reverse("worker-detail", args=[worker.pk])).content.decode()
    assert client_as("org-b").get(reverse("worker-detail", args=[worker.pk])).status_code == 404


def test_R_STAFF_3_days_left_on_the_worker_list_and_the_worker_page(client_as):
    # 军粮城: 益家 took the station on 2025-01-10 and one of its workers must qualify by 2027-01-10 (43 days).
    page = client_as("bureau").get(reverse("worker-list")).content.decode()
    assert "还剩43天" in page
    worker = SocialWorker.objects.get(
        postings__cycle__station__street__name="军粮城街道",
        postings__cycle__contractor__short_name="益家",
        qualifications__isnull=True,
    )
    assert "还剩43天" in client_as("bureau").get(reverse("worker-detail", args=[worker.pk])).content.decode()
    # 张贵庄 (org-a): every resident worker is qualified, so nothing counts down there.
    assert "还剩" not in client_as("org-a").get(reverse("worker-list")).content.decode()


def test_org_b_sees_none_of_org_a_workers_volunteers_or_records(client_as):
    workers = client_as("org-b").get(reverse("worker-list")).content.decode()
    for worker in SocialWorker.objects.filter(
        contractor__memberships__user__username="org-a", left_on__isnull=True
    )[:5]:
        assert (
            f">{worker.name}</a>" not in workers
            or SocialWorker.objects.filter(
                name=worker.name, contractor__memberships__user__username="org-b"
            ).exists()
        )
    volunteers = client_as("org-b").get(reverse("volunteer-list")).content.decode()
    assert "无瑕街道" not in volunteers and "张贵庄" not in volunteers
    records = client_as("org-b").get(reverse("service-record-list")).content.decode()
    assert "张贵庄街道社会工作服务站" not in records


def hours(volunteer, **extra):
    return {
        "served_on": "2026-11-20",
        "start_time": "09:00",
        "end_time": "11:30",
        "activity": "助老服务",
        **extra,
    }


def test_R_SVC_2_overlapping_and_impossible_hours_are_refused_and_nothing_saved(client_as):
    volunteer = Volunteer.objects.filter(station__street__name="无瑕街道").first()
    url = reverse("volunteer-hours-new", args=[volunteer.pk])
    before = VolunteerHours.objects.count()
    assert client_as("org-a").post(url, hours(volunteer)).status_code == 302
    overlap = client_as("org-a").post(url, hours(volunteer, start_time="11:00", end_time="12:00"))
    assert "R-SVC-2" in overlap.content.decode() and "时间重叠" in overlap.content.decode()
    backwards = client_as("org-a").post(url, hours(volunteer, start_time="15:00", end_time="14:00"))
    assert "结束时间必须晚于开始时间" in backwards.content.decode()
    future = client_as("org-a").post(url, hours(volunteer, served_on="2026-12-20"))
    assert "服务日期不能晚于今天" in future.content.decode()
    assert VolunteerHours.objects.count() == before + 1
    entry = VolunteerHours.objects.latest("pk")
    assert entry.hours == 2.5 and entry.status == "pending" and entry.entered_via == "station"


def test_R_SVC_2_station_staff_verify_pending_hours_and_totals_follow(client_as):
    volunteer = Volunteer.objects.filter(
        station__street__name="无瑕街道", hours_entries__status="pending"
    ).first()
    pending = list(volunteer.hours_entries.filter(status="pending"))
    page = client_as("org-a").get(reverse("volunteer-list")).content.decode()
    assert "待核实的服务时长" in page
    response = client_as("org-a").post(
        reverse("volunteer-hours-verify"), {"entry": [e.pk for e in pending], "decision": "verify"}
    )
    assert response.status_code == 302
    assert not volunteer.hours_entries.filter(status="pending").exists()
    verified = sum(e.hours for e in volunteer.hours_entries.filter(status="verified"))
    detail = client_as("org-a").get(reverse("volunteer-detail", args=[volunteer.pk])).content.decode()
    assert f"<strong>{verified:.1f}</strong>" in detail
    # The street reads but may not verify; another organisation cannot touch the entries.
    assert client_as("zhangguizhuang").post(reverse("volunteer-hours-verify")).status_code == 403
    assert (
        client_as("org-b").post(reverse("volunteer-hours-verify"), {"entry": [pending[0].pk]}).status_code
        == 404
    )


def test_R_SVC_2_a_volunteer_enters_hours_through_the_own_link_without_an_account(client):
    volunteer = Volunteer.objects.filter(station__street__name="无瑕街道").first()
    url = reverse("volunteer-self-report", args=[self_report_token(volunteer)])
    assert client.get(url).status_code == 200
    response = client.post(
        url, hours(volunteer, served_on="2026-11-25", start_time="14:00", end_time="16:00")
    )
    assert response.status_code == 302
    entry = volunteer.hours_entries.get(served_on="2026-11-25")
    assert entry.entered_via == "volunteer" and entry.status == "pending" and entry.entered_by is None
    tampered = url.replace(url.split("/")[-2][:4], "AAAA")
    assert client.get(tampered).status_code == 404


def test_R_SVC_1_a_case_is_recorded_with_photos_and_the_client_id_masked(client_as, uploads_in_tmp):
    client_id = valid_id("12011019500309222")
    station_id = ServiceRecord.objects.filter(station__street__name="张贵庄街道").first().station_id
    data = {
        "station": station_id,
        "kind": "case",
        "area": "elderly",
        "method": "care",
        "held_on": "2026-11-20",
        "title": "独居老人探访",
        "participants": "1",
        "client_name": "王奶奶",
        "client_id_number": client_id,
        "description": "入户探访。",
        "photos": [SimpleUploadedFile("探访.png", png(), "image/png")],
    }
    refused = client_as("org-a").post(
        reverse("service-record-new"),
        {**data, "client_name": "", "photos": [SimpleUploadedFile("a.png", png(), "image/png")]},
    )
    assert "个案须填写服务对象姓名" in refused.content.decode()
    assert not ServiceRecordPhoto.objects.filter(original_name="a.png").exists()
    assert list(uploads_in_tmp.rglob("*.png")) == []
    response = client_as("org-a").post(reverse("service-record-new"), data)
    record = ServiceRecord.objects.get(title="独居老人探访")
    assert response.status_code == 302 and record.contract_year.cycle.contractor.memberships.filter(
        user__username="org-a"
    )
    page = (
        client_as("zhangguizhuang").get(reverse("service-record-detail", args=[record.pk])).content.decode()
    )
    assert client_id not in page and client_id[-4:] in page
    photo = record.photos.get()
    assert (
        client_as("zhangguizhuang")
        .get(reverse("file-download", args=["service-photo", photo.pk]))
        .status_code
        == 200
    )
    assert (
        client_as("org-b").get(reverse("file-download", args=["service-photo", photo.pk])).status_code == 404
    )
    assert client_as("org-b").get(reverse("service-record-detail", args=[record.pk])).status_code == 404


def test_R_SVC_1_a_service_outside_the_contract_years_is_refused(client_as):
    station_id = ServiceRecord.objects.filter(station__street__name="张贵庄街道").first().station_id
    response = client_as("org-a").post(
        reverse("service-record-new"),
        {
            "station": station_id,
            "kind": "group",
            "area": "children",
            "method": "care",
            "held_on": "2020-05-01",
            "title": "旧活动",
            "participants": "8",
        },
    )
    assert (
        "R-SVC-1" in response.content.decode() and not ServiceRecord.objects.filter(title="旧活动").exists()
    )


def test_a_stored_file_whose_bytes_changed_is_not_served(client_as, uploads_in_tmp):
    record = ServiceRecord.objects.filter(station__street__name="张贵庄街道").first()
    photo = ServiceRecordPhoto.objects.create(
        record=record,
        file=SimpleUploadedFile("p.png", png(), "image/png"),
        original_name="p.png",
        content_type="image/png",
        size=len(png()),
        sha256=ServiceRecordPhoto.checksum(png()),
    )
    url = reverse("file-download", args=["service-photo", photo.pk])
    assert client_as("org-a").get(url).status_code == 200
    with open(photo.file.path, "ab") as handle:
        handle.write(b"tampered")
    assert client_as("org-a").get(url).status_code == 404


@pytest.mark.parametrize("name", ["worker-list", "volunteer-list", "service-record-list", "training-list"])
def test_staff_pages_run_the_same_queries_for_more_rows(client_as, name):
    def count():
        client = client_as("bureau")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        return len(queries)

    before = count()
    synthetic_stations(30, district=District.objects.get(name="东丽区"))
    assert count() == before


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_figures_agree_the_gender_follows_the_id_number(client_as):
    number = valid_id()
    wrong = "F" if int(number[16]) % 2 else "M"
    data = {
        "name": "性别测试",
        "gender": wrong,
        "id_number": number,
        "phone": "13812345678",
        "employed_on": "2026-11-01",
    }
    page = client_as("org-a").post(reverse("worker-new"), data).content.decode()
    assert "性别与身份证号不符" in page
    assert not SocialWorker.objects.filter(name="性别测试").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_SVC_2_hours_not_yet_served_and_own_entries_are_refused(demo_users):
    import datetime

    import time_machine
    from django.core.exceptions import ValidationError

    from staffing import services
    from staffing.models import Volunteer

    org_a = demo_users["org-a"]
    volunteer = Volunteer.objects.filter(station__street__name="无瑕街道").first()
    with time_machine.travel(
        datetime.datetime(2026, 11, 28, 4, tzinfo=datetime.UTC), tick=False
    ):  # 12:00 there
        with pytest.raises(ValidationError, match="服务尚未结束"):
            services.volunteer_hours_record(
                volunteer=volunteer,
                served_on=datetime.date(2026, 11, 28),
                start_time=datetime.time(20, 0),
                end_time=datetime.time(22, 0),
                activity="夜间巡逻",
                actor=org_a,
            )
        entry = services.volunteer_hours_record(
            volunteer=volunteer,
            served_on=datetime.date(2026, 11, 28),
            start_time=datetime.time(8, 0),
            end_time=datetime.time(10, 0),
            activity="早间敬老",
            actor=org_a,
        )
    with pytest.raises(ValidationError, match="R-SVC-2"):
        services.volunteer_hours_verify(entries=[entry], verified=True, actor=org_a)
