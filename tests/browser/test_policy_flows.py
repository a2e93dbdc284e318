"""The rest of the bureau's workflows in the browser, each by the role that owns it: the annual implementation plan
drafted, submitted and approved; a contractor registered, its three conditions verified and the open procurement
awarded to it; an evaluation scored and signed by the street and then the bureau."""

import pytest

from contracts.models import Contractor, ProjectCycle
from evaluations.models import Evaluation
from evaluations.selectors import DEFAULT_SHEET as SCORE_ITEMS
from stations.models import AnnualPlan, Station
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def submit(page, button: str, screenshot_dir, name: str) -> None:
    """Click a submit button; on a page that shows errors, keep a screenshot and fail with them."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    errors = page.locator(".alert-danger")
    if errors.count():
        page.screenshot(path=str(screenshot_dir / f"{name}-failed.png"), full_page=True)
        raise AssertionError(errors.first.inner_text())


def test_R_PLAN_3_annual_plan_drafted_submitted_and_approved(page, portal, screenshot_dir):
    plan = AnnualPlan.objects.get(year=2027)
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    page.get_by_role("link", name="年度实施计划").click()
    page.get_by_role("row", name=str(plan.year)).get_by_role("link", name="修改").click()
    page.fill("#id_goals", "2027年新建1个社工站（东丽湖街道），实现街道社工站全覆盖。")
    submit(page, "保存草稿", screenshot_dir, "plan")
    page.get_by_role("row", name=str(plan.year)).get_by_role("button", name="报送").click()
    page.wait_for_load_state()
    assert AnnualPlan.objects.get(pk=plan.pk).status == "submitted"
    page.get_by_role("row", name=str(plan.year)).get_by_role("link", name="登记审核结果").click()
    page.get_by_label("审核通过").check()
    page.fill("#id_review_comment", "同意。")
    submit(page, "登记", screenshot_dir, "plan-review")
    assert AnnualPlan.objects.get(pk=plan.pk).status == "approved"


def test_R_PROC_2_contractor_verified_and_the_open_procurement_awarded(page, portal, screenshot_dir):
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    page.locator(".portal-nav").first.get_by_role("link", name="承接主体").click()
    page.get_by_role("link", name="登记承接主体").click()
    for field, value in {
        "name": "东丽区新航社会工作服务中心",
        "short_name": "新航",
        "credit_code": "52120110MJ0000001X",
        "legal_representative": "周新",
        "registered_on": "2019-05-06",
        "address": "天津市东丽区先锋东路1号",
        "contact_person": "周新",
        "contact_phone": "022-24390000",
    }.items():
        page.fill(f"#id_{field}", value)
    submit(page, "登记", screenshot_dir, "contractor")
    contractor = Contractor.objects.get(short_name="新航")
    for condition in ("registration", "finance", "standing"):
        page.select_option("#id_condition", condition)
        page.fill("#id_evidence", "原件已核验，复印件存档")
        page.fill("#id_verified_on", "2026-10-20")
        page.set_input_files(  # R-PROC-2: each condition rests on a scanned document
            "#id_documents",
            files=[
                {
                    "name": f"{condition}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": b"%PDF-1.4\n% scan\n%%EOF\n",
                }
            ],
        )
        submit(page, "记录核验", screenshot_dir, "evidence")
    assert page.get_by_text("三项条件均已核验").first.is_visible()

    station = Station.objects.get(street__name="东丽湖街道")
    page.goto(f"{portal.url}/stations/{station.pk}/")
    page.get_by_role("link", name="确定承接主体").first.click()
    page.screenshot(path=str(screenshot_dir / "form-award.png"), full_page=True)
    page.select_option("#id_contractor", str(contractor.pk))
    page.fill("#id_award_date", "2026-10-30")
    page.fill("#id_cycle_start", "2026-11-01")
    submit(page, "确定承接主体", screenshot_dir, "award")
    assert ProjectCycle.objects.filter(station=station, contractor=contractor).exists()


def test_R_EVAL_2_evaluation_scored_then_signed_by_the_street_and_the_bureau(browser, portal, screenshot_dir):
    station = Station.objects.get(street__name="张贵庄街道")
    year = station.contract_years.order_by("-start_date").first()
    bureau = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    street = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = bureau.new_page()
        log_in(page, portal.url, "bureau")
        page.wait_for_url(f"{portal.url}/")
        page.goto(f"{portal.url}/evaluations/years/{year.pk}/midterm/new/")
        page.fill("#id_held_on", "2026-11-27")
        for index, (_item, maximum) in enumerate(SCORE_ITEMS):
            page.fill(f"#id_score_{index}", str(maximum * 9 / 10))
        page.select_option("#id_grade", "excellent")
        page.screenshot(path=str(screenshot_dir / "form-evaluation.png"), full_page=True)
        submit(page, "保存评估结果", screenshot_dir, "evaluation")
        evaluation = Evaluation.objects.get(contract_year=year, kind="midterm")
        assert evaluation.total_score == 90 and evaluation.scores.count() == len(SCORE_ITEMS)

        other = street.new_page()
        log_in(other, portal.url, "zhangguizhuang")
        other.wait_for_load_state()
        other.goto(f"{portal.url}/evaluations/{evaluation.pk}/")
        submit(other, "确认并签字", screenshot_dir, "sign-street")
        page.goto(f"{portal.url}/evaluations/{evaluation.pk}/")
        submit(page, "确认并签字", screenshot_dir, "sign-bureau")
        evaluation.refresh_from_db()
        assert evaluation.street_signed_at and evaluation.bureau_signed_at
    finally:
        bureau.close()
        street.close()


def test_R_CYCLE_2_bureau_signs_the_waiting_evaluation_and_renews(page, portal, screenshot_dir):
    from decimal import Decimal

    from contracts.models import ContractYear
    from tests.browser.test_bureau_flows import fill_money

    year = ContractYear.objects.get(station__street__name="华明街道", start_date__year=2025)
    evaluation = year.evaluations.get(kind="final")
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    page.goto(f"{portal.url}/evaluations/{evaluation.pk}/")
    submit(page, "确认并签字", screenshot_dir, "sign-huaming")
    page.goto(f"{portal.url}/evaluations/years/{year.pk}/decide/")
    page.get_by_label("续签", exact=True).check()
    page.fill("#id_amount", "250000.00")
    page.fill("#id_signed_on", "2026-11-28")
    page.fill("#id_agreement_no", "DLMZ-SGZ-2026-HM2")
    fill_money(page, Decimal("250000.00"))
    submit(page, "提交决定", screenshot_dir, "renewal")
    renewed = ContractYear.objects.get(cycle=year.cycle, year_no=2)
    assert renewed.amount == Decimal("250000.00") and year.renewal.decision == "renew"
