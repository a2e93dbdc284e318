"""The bureau portal's pages and forms, through the test client as the role that owns each."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts import services as contract_services
from contracts.models import Contractor, ContractYear, EligibilityCondition, Procurement, ProjectCycle
from evaluations import services as evaluation_services
from evaluations.models import Evaluation, Renewal
from reports.models import Report
from staffing.models import Posting
from stations.models import District, SiteConditionLog, SiteConditionPhoto, Station
from tests.factories import ContractorFactory, SocialWorkerFactory, StationFactory, scan
from tests.policy.conftest import budget, funding, sheet
from tests.synthetic import synthetic_stations

D = datetime.date
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def money(amount: Decimal) -> dict:
    data = {f"line_{k}": str(v) for k, v in budget(amount).items()}
    data.update({f"source_{k}": str(v) for k, v in funding(amount).items()})
    return data


def award_dongli_lake(bureau) -> ProjectCycle:
    """东丽湖's open procurement awarded to an eligible contractor: a cycle with no contract year yet."""
    contractor = ContractorFactory(name="东丽区新航社会工作服务中心")
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=contractor,
            condition=condition,
            evidence="e",
            verified_on=D(2026, 10, 20),
            actor=bureau,
            documents=[scan()],
        )
    procurement = Procurement.objects.get(project_no="TJDL-2026-SGZ-11")
    return contract_services.procurement_award(
        procurement=procurement,
        contractor=contractor,
        award_date=D(2026, 10, 30),
        cycle_start=D(2026, 11, 1),
        actor=bureau,
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_dashboard_shows_the_annex_years_built_status_and_svg_charts(client_as):
    text = client_as("bureau").get("/").content.decode()
    assert text.count("<svg") >= 2
    for street in ["张贵庄街道", "丰年村街道", "东丽湖街道", "金桥街道"]:
        assert street in text
    assert "10/11" in text  # built so far; 东丽湖 behind its 2023 plan year
    assert "2021年度" in text and "2023年度" in text
    assert "R-PLAN-2" in text and "/rules/#r-plan-2" in text


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
@pytest.mark.parametrize("path", ["/", "/stations/", "/stations/?status=operating&year=2022", "/findings/"])
def test_pages_cost_the_same_queries_for_11_and_1000_stations(client_as, path):
    client = client_as("bureau")
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    synthetic_stations(989, district=District.objects.get(code="120110"))
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_station_detail_costs_the_same_queries_however_long_its_history(client_as):
    client = client_as("bureau")
    counts = []
    for street in ["张贵庄街道", "金桥街道", "丰年村街道"]:  # 2, 2 and 3 cycles; 5 to 6 years; many reports
        station = Station.objects.get(street__name=street)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("station-detail", args=[station.pk])).status_code == 200
        counts.append(len(queries.captured_queries))
    assert len(set(counts)) == 1, counts


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_FUND_1_signing_over_the_cap_shows_the_rule_and_saves_nothing(client_as, demo_users):
    cycle = award_dongli_lake(demo_users["bureau"])
    data = {
        "amount": "250000.01",
        "signed_on": "2026-11-25",
        "agreement_no": "X",
        **money(Decimal("250000.01")),
    }
    response = client_as("bureau").post(reverse("contract-year-sign", args=[cycle.pk]), data)
    text = response.content.decode()
    assert response.status_code == 200 and "R-FUND-1" in text and "力争达到25万元" in text
    assert not ContractYear.objects.filter(cycle=cycle).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_bureau_signs_a_contract_year_and_the_dashboard_shows_it(client_as, demo_users):
    cycle = award_dongli_lake(demo_users["bureau"])
    client = client_as("bureau")
    before = client.get("/").content.decode()
    assert "东丽湖街道社会工作服务站 2026—2027年度" not in before
    data = {
        "amount": "250000.00",
        "signed_on": "2026-11-25",
        "agreement_no": "DLMZ-SGZ-2026-11",
        **money(Decimal("250000.00")),
    }
    response = client.post(reverse("contract-year-sign", args=[cycle.pk]), data)
    assert response.status_code == 302
    after = client.get("/").content.decode()
    assert "东丽湖街道社会工作服务站 2026—2027年度" in after  # the timeline's new bar
    assert "派驻驻站社工" in after  # R-STAFF-5: posting now due within 15 days


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_STAFF_5_posting_on_day_16_is_refused_on_the_form(client_as, demo_users):
    cycle = award_dongli_lake(demo_users["bureau"])
    contract_services.contract_year_sign(
        cycle=cycle,
        amount=Decimal("250000"),
        signed_on=D(2026, 11, 1),
        budget_lines=budget(Decimal("250000")),
        funding=funding(Decimal("250000")),
        actor=demo_users["bureau"],
    )
    worker = SocialWorkerFactory(contractor=cycle.contractor, district=cycle.station.street.district)
    url = reverse("posting-new", args=[cycle.pk])
    data = {
        "worker": worker.pk,
        "start_date": "2026-11-17",
        "is_full_time": "on",
        "has_labour_contract": "on",
    }
    text = client_as("bureau").post(url, data).content.decode()
    assert "R-STAFF-5" in text and "合同签订15天内派驻社工" in text
    assert not Posting.objects.filter(cycle=cycle).exists()
    data["start_date"] = "2026-11-16"
    assert client_as("bureau").post(url, data).status_code == 302


def _failed_current_year(bureau, street_user) -> ContractYear:
    """金钟's current year graded 不合格 and signed by both (built for the test)."""
    year = ContractYear.objects.get(station__street__name="金钟街道", start_date=D(2026, 7, 1))
    # Held in the year's last months (R-EVAL-1): recorded as of that day.
    with time_machine.travel(datetime.datetime(2027, 5, 21, 1, tzinfo=datetime.UTC), tick=False):
        evaluation = evaluation_services.evaluation_record(
            contract_year=year,
            kind="final",
            held_on=D(2027, 5, 20),
            grade="fail",
            scores=sheet("fail"),
            actor=bureau,
        )
    evaluation.street_signed_by, evaluation.street_signed_at = (
        street_user,
        datetime.datetime(2027, 5, 21, tzinfo=datetime.UTC),
    )
    evaluation.save()
    evaluation_services.evaluation_sign(evaluation=evaluation, actor=bureau)
    return year


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_CYCLE_2_renewal_after_a_failed_evaluation_is_refused_on_the_form(client_as, demo_users):
    year = _failed_current_year(demo_users["bureau"], demo_users["bureau"])
    data = {"decision": "renew", "amount": "250000", "signed_on": "2026-11-28", **money(Decimal("250000"))}
    response = client_as("bureau").post(reverse("contract-year-decide", args=[year.pk]), data)
    text = response.content.decode()
    assert response.status_code == 200 and "R-CYCLE-2" in text and "不合格的不再续签" in text
    assert not Renewal.objects.filter(contract_year=year).exists()
    assert ContractYear.objects.filter(cycle=year.cycle).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_street_logs_site_conditions_with_a_photo(client_as):
    station = Station.objects.get(street__name="张贵庄街道")
    data = {
        "logged_on": "2026-11-28",
        "has_office_room": "on",
        "has_desks_chairs": "on",
        "has_computer": "on",
        "has_printer": "on",
        "has_archive_cabinet": "on",
        "sign_installed": "on",
        "catalogue_posted": "on",
        "system_staff": "on",
        "notes": "复查",
        "photos": [SimpleUploadedFile("门牌.png", PNG, "image/png")],
    }
    response = client_as("zhangguizhuang").post(reverse("site-log-new", args=[station.pk]), data)
    assert response.status_code == 302
    log = SiteConditionLog.objects.filter(station=station).order_by("-logged_on", "-pk").first()
    assert log.logged_on == D(2026, 11, 28) and log.photos.count() == 1
    photo = log.photos.get()
    assert photo.content_type == "image/png" and photo.original_name == "门牌.png" and len(photo.sha256) == 64
    assert "门牌" not in photo.file.name  # stored under a random name


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_a_renamed_executable_photo_is_refused_and_nothing_saved(client_as):
    station = Station.objects.get(street__name="张贵庄街道")
    before = SiteConditionLog.objects.count(), SiteConditionPhoto.objects.count()
    data = {
        "logged_on": "2026-11-28",
        "photos": [SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\0" * 100)],
    }
    response = client_as("zhangguizhuang").post(reverse("site-log-new", args=[station.pk]), data)
    assert response.status_code == 200 and "不是允许的类型" in response.content.decode()
    assert (SiteConditionLog.objects.count(), SiteConditionPhoto.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_EVAL_2_street_signs_on_screen_and_the_bureau_completes(client_as, demo_users):
    evaluation = Evaluation.objects.get(
        contract_year__station__street__name="华明街道", bureau_signed_at__isnull=True
    )
    page = client_as("bureau").get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert "确认并签字" in page
    client_as("bureau").post(reverse("evaluation-sign", args=[evaluation.pk]))
    assert Evaluation.objects.get(pk=evaluation.pk).is_signed


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_REP_3_bureau_returns_a_report_with_comments(client_as):
    report = Report.objects.filter(
        contract_year__station__street__name="张贵庄街道", status="submitted"
    ).first()
    url = reverse("report-review", args=[report.pk])
    text = client_as("bureau").post(url, {"decision": "returned", "comment": ""}).content.decode()
    assert "R-REP-3" in text
    assert client_as("bureau").post(url, {"decision": "returned", "comment": "请补充照片"}).status_code == 302
    assert Report.objects.get(pk=report.pk).status == "returned"


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_PLAN_3_annual_plan_drafted_submitted_returned_corrected_approved(client_as):
    from stations.models import AnnualPlan

    client = client_as("bureau")
    plan = AnnualPlan.objects.get(year=2027)
    assert client.get(reverse("annual-plan-list")).status_code == 200
    assert "2027" not in client_as("municipal").get(reverse("annual-plan-list")).content.decode()  # a draft
    client = client_as("bureau")
    client.post(reverse("annual-plan-submit", args=[plan.pk]))
    assert AnnualPlan.objects.get(pk=plan.pk).status == "submitted"
    text = client.post(reverse("annual-plan-review", args=[plan.pk]), {"result": "returned"}).content.decode()
    assert "R-PLAN-3" in text
    client.post(
        reverse("annual-plan-review", args=[plan.pk]),
        {"result": "returned", "review_comment": "补充时间节点"},
    )
    assert AnnualPlan.objects.get(pk=plan.pk).status == "returned"
    response = client.post(
        reverse("annual-plan-edit", args=[plan.pk]),
        {"year": 2027, "title": plan.title, "goals": "g", "measures": "m", "timeline": "一季度……"},
    )
    assert response.status_code == 302
    client.post(reverse("annual-plan-submit", args=[plan.pk]))
    client.post(reverse("annual-plan-review", args=[plan.pk]), {"result": "approved"})
    assert AnnualPlan.objects.get(pk=plan.pk).status == "approved"
    assert "2027" in client_as("municipal").get(reverse("annual-plan-list")).content.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_R_PROC_2_award_to_an_unverified_contractor_is_refused_on_the_form(client_as):
    procurement = Procurement.objects.get(project_no="TJDL-2026-SGZ-11")
    newcomer = ContractorFactory(name="未核验社会工作服务中心")
    url = reverse("procurement-award", args=[procurement.pk])
    page = client_as("bureau").get(url).content.decode()
    assert "未核验社会工作服务中心" in page and "缺少3项" in page
    text = (
        client_as("bureau")
        .post(url, {"contractor": newcomer.pk, "award_date": "2026-11-20", "cycle_start": "2026-12-01"})
        .content.decode()
    )
    assert "R-PROC-2" in text and "承接主体应满足以下条件" in text
    assert Procurement.objects.get(pk=procurement.pk).status == "open"
    qihang = Contractor.objects.get(short_name="启航")
    response = client_as("bureau").post(
        url,
        {
            "contractor": qihang.pk,
            "award_date": "2026-11-20",
            "cycle_start": "2026-12-01",
            "agreement_signed_on": "2026-11-25",
        },
    )
    assert response.status_code == 302
    assert ProjectCycle.objects.get(procurement=procurement).contractor == qihang


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_history_shows_who_changed_what_and_when(client_as, demo_users):
    report = Report.objects.filter(
        contract_year__station__street__name="张贵庄街道", status="submitted"
    ).first()
    client_as("bureau").post(reverse("report-review", args=[report.pk]), {"decision": "accepted"})
    text = (
        client_as("bureau")
        .get(reverse("record-history", args=["reports.report", report.pk]))
        .content.decode()
    )
    assert "李明华" in text and "状态" in text and "已提交 → 已通过" in text
    other = StationFactory()
    assert (
        client_as("bureau").get(reverse("record-history", args=["stations.station", other.pk])).status_code
        == 404
    )
    assert client_as("bureau").get(reverse("record-history", args=["nothing.here", 1])).status_code == 404


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_contractor_home_shows_its_overdue_brief_and_approaching_deadline_only(client_as):
    text = client_as("org-a").get("/").content.decode()
    assert "新立街道社会工作服务站" in text and "2026年10月月度工作简报" in text  # R-REP-1 overdue
    assert "R-STAFF-3" not in text  # 张贵庄's workers are all qualified (the story as revised on 2026-12-01)
    assert "金桥街道" not in text and "丰年村街道社会工作服务站</a>" not in text
    text = client_as("org-b").get("/").content.decode()
    assert "退回待修改的报告" in text and "服务数据与个案记录不一致" in text  # 丰年村's returned brief
    assert "新立街道" not in text


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_municipal_overview_counts_every_district_in_the_database(client_as):
    client = client_as("municipal")
    with CaptureQueriesContext(connection) as one_district:
        text = client.get("/").content.decode()
    # Dongli: 11 planned, 10 built (东丽湖 behind its 2023 plan year, R-PLAN-2).
    dongli = re.search(
        r"<td>东丽区</td><td class=\"text-end\">(\d+)</td><td class=\"text-end\">(\d+)</td>", text
    )
    assert dongli and dongli.groups() == ("11", "10"), text
    for _ in range(30):
        synthetic_stations(2)  # each call: a new district with 2 stations
    with CaptureQueriesContext(connection) as many_districts:
        text = client.get("/").content.decode()
    assert len(many_districts.captured_queries) == len(one_district.captured_queries)
    planned = re.search(r'计划建站</div><div class="fs-4 fw-semibold">(\d+)</div>', text)
    assert planned and planned.group(1) == "71"  # 11 + 30 × 2 stations across the city


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_with_many_contractors_the_station_list_searches_them_by_name(client_as):
    client = client_as("bureau")
    assert 'name="contractor"' in client.get("/stations/").content.decode()  # a short list: a dropdown
    ContractorFactory.create_batch(101)
    text = client.get("/stations/").content.decode()
    assert 'name="contractor_name"' in text and 'name="contractor"' not in text
    text = client.get("/stations/", {"contractor_name": "启航"}).content.decode()
    assert "张贵庄街道社会工作服务站" in text and "东丽湖街道社会工作服务站" not in text


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_a_station_awarded_for_a_later_cycle_shows_the_same_right_status_everywhere(client_as, demo_users):
    """Issue 17 (statuses): awarded, starting 2026-12-15, first year signed today — not 周期结束待采购, and no
    second procurement offered; the page, the station list, the workbook and the PDF say the same."""
    import io
    import shutil
    import subprocess

    from openpyxl import load_workbook

    from documents.reports import rollout_pdf
    from documents.rollout import write_rollout_workbook

    bureau = demo_users["bureau"]
    contractor = ContractorFactory(name="东丽区远航社会工作服务中心")
    for condition in EligibilityCondition.values:
        contract_services.eligibility_verify(
            contractor=contractor,
            condition=condition,
            evidence="e",
            verified_on=D(2026, 10, 20),
            actor=bureau,
            documents=[scan()],
        )
    cycle = contract_services.procurement_award(
        procurement=Procurement.objects.get(project_no="TJDL-2026-SGZ-11"),
        contractor=contractor,
        award_date=D(2026, 11, 20),
        cycle_start=D(2026, 12, 15),
        actor=bureau,
    )
    contract_services.contract_year_sign(  # signing the first year is possible as soon as the award is made
        cycle=cycle,
        amount=Decimal("250000"),
        signed_on=D(2026, 11, 28),
        budget_lines=budget(Decimal("250000")),
        funding=funding(Decimal("250000")),
        actor=bureau,
    )
    station = cycle.station
    page = client_as("bureau").get(reverse("station-detail", args=[station.pk])).content.decode()
    assert "已中标待开始" in page and "周期结束待采购" not in page and "发起采购" not in page
    listed = client_as("bureau").get(reverse("station-list"), {"status": "awarded"}).content.decode()
    assert station.name in listed
    out = io.BytesIO()
    write_rollout_workbook(Station.objects.visible_to(bureau), out, D(2026, 11, 28))
    sheet_text = " ".join(
        str(cell)
        for ws in load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets
        for row in ws.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )
    assert "已中标待开始" in sheet_text
    pdf = rollout_pdf(Station.objects.visible_to(bureau), D(2026, 11, 28))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        assert "已中标待开始" in text.decode()


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_the_bureau_reviews_reports_in_a_row_and_reads_them_again_after(client_as):
    """Issue 17 (review queues): report titles link; a review opens the next report waiting; an accepted report
    opens read-only for its reviewers."""
    client = client_as("bureau")
    listing = client.get(reverse("report-list"), {"status": "submitted"}).content.decode()
    waiting = list(Report.objects.filter(status="submitted").order_by("due_date", "pk"))
    assert len(waiting) >= 3
    assert reverse("report-review", args=[waiting[0].pk]) in listing
    current = waiting[0]
    for _ in range(3):
        response = client.post(reverse("report-review", args=[current.pk]), {"decision": "accepted"})
        assert response.status_code == 302
        current.refresh_from_db()
        assert current.status == "accepted"
        following = response["Location"]
        if "/review/" not in following:
            break
        current = Report.objects.get(pk=int(following.rstrip("/").split("/")[-2]))
    page = client.get(reverse("report-review", args=[waiting[0].pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "此处只读" in text and "提交审核结果" not in text


@pytest.mark.django_db
@pytest.mark.usefixtures("story_day")
def test_the_renewal_form_says_what_is_possible_and_starts_from_last_year(client_as):
    """Issue 17 (renewal that guides): last year's amount and lines filled in; a year that starts in the past says
    which briefs fall due at once; the third year of a cycle offers only its end."""
    client = client_as("bureau")
    year = ContractYear.objects.get(station__street__name="华明街道", start_date=D(2025, 7, 1))
    evaluation = year.evaluations.get(kind="final")
    client.post(reverse("evaluation-sign", args=[evaluation.pk]))  # the bureau's signature it was waiting for
    page = client.get(reverse("contract-year-decide", args=[year.pk])).content.decode()
    assert f'value="{year.amount}"' in page  # last year's amount as the start
    assert "已开始" in page and "2026年10月" in page  # the year began 2026-07-01: its briefs fall due at once
    third = ContractYear.objects.filter(
        year_no=3, renewal__isnull=True, cycle__end_date__gte=D(2026, 11, 28)
    ).first()
    if third is not None:
        text = client.get(reverse("contract-year-decide", args=[third.pk])).content.decode()
        assert "只能结束周期" in text and 'value="renew"' not in text
