"""A monthly brief drafted, submitted, returned by the bureau, corrected and accepted — all in the browser."""

import pytest

from reports.models import Report
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_brief_drafted_submitted_returned_corrected_accepted(browser, portal, screenshot_dir):
    contractor = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    log_in(contractor, portal.url, "org-a")
    contractor.wait_for_url(f"{portal.url}/")
    # November's brief is being drafted in the demo story; a second one for the month is refused.
    contractor.goto(f"{portal.url}/reports/new/")
    contractor.select_option("#id_contract_year", label="张贵庄街道社会工作服务站 2026—2027年度")
    contractor.select_option("#id_kind", value="monthly")
    contractor.fill("#id_period", "2026-11")  # a month picker
    contractor.get_by_role("button", name="创建草稿").click()
    assert contractor.get_by_text("每月只能有一份月度工作简报").first.is_visible()
    draft = Report.objects.get(
        contract_year__station__street__name="张贵庄街道", period__year=2026, period__month=11
    )
    contractor.goto(f"{portal.url}/reports/")
    contractor.locator(f"a[href='/reports/{draft.pk}/']").first.click()  # the report's title links to it
    contractor.get_by_role("link", name="按本月服务记录填入服务数据").click()
    contractor.fill("#id_highlights", "开展独居老人探访")
    with contractor.expect_navigation():
        contractor.get_by_role("button", name="提交", exact=True).click()
    brief = Report.objects.get(
        contract_year__station__street__name="张贵庄街道", period__year=2026, period__month=11
    )
    assert brief.status == "submitted"

    bureau = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    log_in(bureau, portal.url, "bureau")
    bureau.wait_for_url(f"{portal.url}/")
    bureau.goto(f"{portal.url}/reports/{brief.pk}/review/")
    bureau.get_by_label("退回修改").check()
    bureau.fill("#id_comment", "请补充本月志愿服务时长")
    with bureau.expect_navigation():
        bureau.get_by_role("button", name="提交审核结果").click()
    assert Report.objects.get(pk=brief.pk).status == "returned"

    contractor.goto(f"{portal.url}/reports/{brief.pk}/")
    assert contractor.get_by_text("请补充本月志愿服务时长").is_visible()
    contractor.fill("#id_volunteer_hours", "36")
    contractor.screenshot(path=str(screenshot_dir / "form-brief-correction.png"), full_page=True)
    with contractor.expect_navigation():
        contractor.get_by_role("button", name="修改后重新提交").click()
    assert Report.objects.get(pk=brief.pk).status == "submitted"

    bureau.goto(f"{portal.url}/reports/{brief.pk}/review/")
    bureau.get_by_label("通过", exact=True).check()
    with bureau.expect_navigation():
        bureau.get_by_role("button", name="提交审核结果").click()
    assert Report.objects.get(pk=brief.pk).status == "accepted"
    bureau.goto(f"{portal.url}/stations/{brief.contract_year.station_id}/")
    bureau.get_by_role("tab", name="报告").click()
    assert bureau.get_by_text("2026年11月月度工作简报").first.is_visible()
    # Close the two sessions before the live server stops, so no kept-alive request outlives the test.
    contractor.context.close()
    bureau.context.close()
