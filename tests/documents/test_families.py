"""Issue 18: every family of rows people bring as a sheet imports through its Resource and its service — volunteer
hours, training records, service records and the register of contractors (the roster, volunteers and site checks
have their own tests) — all or nothing, errors by row and column, headers as people write them."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from contracts.models import Contractor
from documents.imports import IMPORTERS
from reports.models import ServiceRecord
from staffing.models import SocialWorker, Training, TrainingRecord, Volunteer, VolunteerHours

pytestmark = pytest.mark.usefixtures("story_day")


def sheet(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(kind, user, content, commit=True):
    return IMPORTERS[kind]().run(content, user, commit=commit)


def test_volunteer_hours_import_and_wait_for_verification(demo_users):
    volunteer = Volunteer.objects.filter(station__street__name="张贵庄街道").first()
    before = VolunteerHours.objects.count()
    content = sheet(
        ["志愿服务时长登记表"],
        ["站点", "姓名", "日期", "开始", "结束", "服务项目"],
        ["张贵庄", volunteer.name, "2026年11月20日", "9:00", "11点30", "陪伴老人"],
        ["张贵庄", volunteer.name, "2026-11-21", datetime.time(14, 0), "16:00", "社区清扫"],
    )
    result = run("volunteer-hours", demo_users["org-a"], content)
    assert result.ok, [str(e) for e in result.errors]
    added = VolunteerHours.objects.filter(volunteer=volunteer).order_by("-pk")[:2]
    assert VolunteerHours.objects.count() == before + 2
    assert all(entry.status == VolunteerHours.Status.PENDING for entry in added)
    # A volunteer of another contractor's station is outside org-a's scope: nothing saved.
    refused = run("volunteer-hours", demo_users["org-b"], content)
    assert not refused.ok and refused.errors[0].row == 3 and VolunteerHours.objects.count() == before + 2


def test_hours_in_the_future_are_refused_with_row_and_column(demo_users):
    volunteer = Volunteer.objects.filter(station__street__name="张贵庄街道").first()
    content = sheet(
        ["社工站", "志愿者姓名", "服务日期", "开始时间", "结束时间", "服务内容"],
        ["张贵庄街道", volunteer.name, "2026-12-20", "9:00", "10:00", "陪伴老人"],
    )
    result = run("volunteer-hours", demo_users["org-a"], content)
    assert not result.ok
    assert str(result.errors[0]).startswith("第2行“服务日期”（C列）")


def test_training_records_one_attendee_per_row_grouped_into_one_training(demo_users):
    workers = list(SocialWorker.objects.filter(contractor__name__contains="启航")[:2])
    before = Training.objects.count()
    content = sheet(
        ["培训主题", "类别", "日期", "学时", "参训人员", "身份证", "是否合格"],
        [
            "个案管理实务",
            str(Training.Kind.choices[0][1]),
            "2026-11-10",
            "4",
            workers[0].name,
            workers[0].id_number,
            "是",
        ],
        [
            "个案管理实务",
            str(Training.Kind.choices[0][1]),
            "2026-11-10",
            "4",
            workers[1].name,
            workers[1].id_number,
            "否",
        ],
    )
    result = run("training", demo_users["bureau"], content)
    assert result.ok, [str(e) for e in result.errors]
    assert Training.objects.count() == before + 1
    training = Training.objects.latest("pk")
    assert TrainingRecord.objects.filter(training=training).count() == 2
    assert TrainingRecord.objects.get(training=training, worker=workers[1]).passed is False


def test_a_training_row_naming_someone_else_refuses_the_file(demo_users):
    worker = SocialWorker.objects.filter(contractor__name__contains="启航").first()
    before = Training.objects.count()
    content = sheet(
        ["培训名称", "培训类别", "培训日期", "学时", "社工姓名", "身份证号"],
        ["个案管理实务", str(Training.Kind.choices[0][1]), "2026-11-10", "4", "张三", worker.id_number],
    )
    result = run("training", demo_users["bureau"], content)
    assert [str(e) for e in result.errors] == [
        f"第2行“社工姓名”（E列）：姓名与身份证号登记的社工（{worker.name}）不符。"
    ]
    assert Training.objects.count() == before


def test_supervision_sessions_import_with_the_station_s_resident_workers(demo_users):
    from staffing.models import SupervisionSession
    from staffing.selectors import resident_postings
    from stations.models import Station

    station = Station.objects.get(street__name="张贵庄街道")
    names = sorted(
        SocialWorker.objects.filter(
            pk__in=resident_postings(
                Station.objects.filter(pk=station.pk), datetime.date(2026, 11, 12)
            ).values("worker")
        ).values_list("name", flat=True)
    )[:2]
    before = SupervisionSession.objects.count()
    content = sheet(
        ["站点", "日期", "督导老师", "主题", "时长", "参加人员"],
        ["张贵庄", "2026-11-12", "刘老师", "个案评估", "2", "，".join(names)],
    )
    result = run("supervision", demo_users["org-a"], content)
    assert result.ok, [str(e) for e in result.errors]
    session = SupervisionSession.objects.latest("pk")
    assert SupervisionSession.objects.count() == before + 1
    assert sorted(w.name for w in session.workers.all()) == names
    stranger = sheet(
        ["社工站", "督导日期", "督导", "督导主题", "时长（小时）", "参加社工"],
        ["张贵庄街道", "2026-11-12", "刘老师", "个案评估", "2", "不存在的人"],
    )
    refused = run("supervision", demo_users["org-a"], stranger)
    assert str(refused.errors[0]).startswith("第2行“参加社工”（F列）：不存在的人不是")


def test_service_records_import_with_choices_by_their_chinese_names(demo_users):
    before = ServiceRecord.objects.count()
    content = sheet(
        ["社工站", "服务日期", "服务形式", "服务领域", "服务方法", "服务主题", "人次", "服务对象"],
        ["张贵庄街道", "2026-11-20", "社区活动", "养老服务", "人文关怀", "重阳节敬老活动", 35, ""],
    )
    preview = run("service-records", demo_users["org-a"], content, commit=False)
    assert preview.ok, [str(e) for e in preview.errors]
    assert preview.rows[0][1]["kind"] == "社区活动" and preview.rows[0][1]["area"] == "养老服务"
    assert run("service-records", demo_users["org-a"], content).ok
    assert ServiceRecord.objects.count() == before + 1
    wrong = sheet(
        ["社工站", "服务日期", "服务形式", "服务领域", "服务方法", "服务主题", "人次"],
        ["张贵庄街道", "2026-11-20", "讲座", "养老服务", "人文关怀", "讲座", 35],
    )
    refused = run("service-records", demo_users["org-a"], wrong)
    assert str(refused.errors[0]).startswith("第2行“服务形式”（C列）：“讲座”应为以下之一")


def test_the_register_of_contractors_imports_for_the_bureau(demo_users):
    before = Contractor.objects.count()
    content = sheet(
        ["单位名称", "统一社会信用代码", "法人", "成立日期", "地址", "联系人", "联系电话"],
        [
            "东丽区晨光社会工作服务中心",
            "52120110MJ0000009Y",
            "周洁",
            "2019年3月1日",
            "天津市东丽区",
            "吴敏",
            "022-24390000",
        ],
        [
            "东丽区明德社会工作服务社",
            "52120110MJ00000",
            "钱程",
            "2020-01-01",
            "天津市东丽区",
            "郑红",
            "022-24391111",
        ],
    )
    refused = run("contractors", demo_users["bureau"], content)
    assert [e.row for e in refused.errors] == [3] and Contractor.objects.count() == before
    with pytest.raises(PermissionDenied):
        run("contractors", demo_users["org-a"], content, commit=False)
    fixed = sheet(
        ["单位名称", "统一社会信用代码", "法人", "成立日期", "地址", "联系人", "联系电话"],
        [
            "东丽区晨光社会工作服务中心",
            "52120110MJ0000009Y",
            "周洁",
            "2019年3月1日",
            "天津市东丽区",
            "吴敏",
            "022-24390000",
        ],
    )
    assert run("contractors", demo_users["bureau"], fixed).ok
    assert Contractor.objects.get(credit_code="52120110MJ0000009Y").registered_on == datetime.date(2019, 3, 1)


def test_every_family_has_an_import_page_and_a_template(client_as):
    owners = {"contractors": "bureau", "training": "bureau", "site-conditions": "zhangguizhuang"}
    for kind in IMPORTERS:
        client = client_as(owners.get(kind, "org-a"))
        assert client.get(f"/exports/imports/{kind}/").status_code == 200, kind
        template = client.get(f"/exports/imports/{kind}/template.xlsx")
        assert template.status_code == 200, kind
