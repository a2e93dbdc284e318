"""The bureau portal's main flows in the browser (Debian's chromium): signing a contract year, a street's
site log with a photo, and a renewal refused after a failed evaluation."""

from decimal import Decimal

import pytest

from contracts.models import ContractYear
from stations.models import SiteConditionLog, Station
from tests.browser.conftest import log_in
from tests.policy.conftest import budget, funding
from tests.portal.test_workflows import PNG, _failed_current_year, award_dongli_lake

pytestmark = pytest.mark.browser


def fill_money(page, amount: Decimal) -> None:
    """The five lines and the sources for `amount`; whatever the form filled in from last year is cleared first."""
    for field in page.locator("input[id^='id_line_'], input[id^='id_source_']").all():
        field.fill("")
    for line, value in budget(amount).items():
        page.fill(f"#id_line_{line}", str(value))
    for source, value in funding(amount).items():
        page.fill(f"#id_source_{source}", str(value))


def test_bureau_signs_a_contract_year_and_sees_the_dashboard_change(
    page, portal, screenshot_dir, demo_users_live
):
    cycle = award_dongli_lake(demo_users_live["bureau"])
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    assert page.locator("svg.chart").count() >= 2
    page.screenshot(path=str(screenshot_dir / "dashboard-bureau.png"), full_page=True)
    assert page.locator("title", has_text="东丽湖街道社会工作服务站 2026—2027年度").count() == 0

    page.goto(f"{portal.url}/stations/{cycle.station_id}/")
    page.get_by_role("link", name="签订合同年度").click()
    page.fill("#id_amount", "250000.00")
    page.fill("#id_signed_on", "2026-11-25")
    page.fill("#id_agreement_no", "DLMZ-SGZ-2026-11")
    fill_money(page, Decimal("250000.00"))
    page.screenshot(path=str(screenshot_dir / "form-sign-contract-year.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="签订").click()
    if not page.url.endswith(f"/stations/{cycle.station_id}/"):
        page.screenshot(path=str(screenshot_dir / "sign-failed.png"), full_page=True)
        raise AssertionError(page.locator(".alert-danger").first.inner_text())
    assert page.get_by_text("已签订").first.is_visible()
    assert ContractYear.objects.filter(cycle=cycle).count() == 1

    page.goto(f"{portal.url}/")
    assert page.locator("title", has_text="东丽湖街道社会工作服务站").count() >= 1
    assert page.get_by_text("派驻驻站社工").first.is_visible()


def test_street_logs_site_conditions_with_a_photo(page, portal, screenshot_dir, tmp_path):
    photo = tmp_path / "现场.png"
    photo.write_bytes(PNG)
    station = Station.objects.get(street__name="张贵庄街道")
    log_in(page, portal.url, "zhangguizhuang")
    page.wait_for_load_state()
    page.screenshot(path=str(screenshot_dir / "street-home.png"), full_page=True)
    page.wait_for_url(f"{portal.url}/stations/{station.pk}/")
    page.get_by_role("link", name="登记场所检查").click()
    for label in [
        "独立办公用房",
        "桌椅",
        "电脑",
        "打印机",
        "档案柜",
        "统一标识已设置",
        "服务目录和岗位职责已公示",
    ]:
        page.get_by_label(label, exact=True).check()
    # The form starts from the last check: the officer unticks what is no longer there.
    page.get_by_label("人员管理制度", exact=True).uncheck()
    page.set_input_files("#id_photos", str(photo))
    page.screenshot(path=str(screenshot_dir / "form-site-log.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="保存检查记录").click()
    if not page.url.endswith(f"/stations/{station.pk}/"):
        page.screenshot(path=str(screenshot_dir / "site-log-failed.png"), full_page=True)
        raise AssertionError(page.locator(".alert-danger").first.inner_text())
    assert page.get_by_text("场所设置检查记录已保存").is_visible()
    log = SiteConditionLog.objects.filter(station=station).order_by("-pk").first()
    assert log.photos.count() == 1 and log.has_printer and not log.system_staff


def test_renewal_after_a_failed_evaluation_is_refused_on_screen(
    page, portal, screenshot_dir, demo_users_live
):
    year = _failed_current_year(demo_users_live["bureau"], demo_users_live["bureau"])
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    page.goto(f"{portal.url}/evaluations/years/{year.pk}/decide/")
    # After 不合格 the form says before anything is typed that only the end of the cycle is possible (R-CYCLE-2),
    # and offers no renewal and no renewal fields.
    intro = page.locator("p.text-muted").first.inner_text()
    assert "R-CYCLE-2" in intro and "只能结束周期" in intro
    assert page.get_by_label("续签", exact=True).count() == 0 and page.locator("#id_amount").count() == 0
    page.screenshot(path=str(screenshot_dir / "refusal-renewal.png"), full_page=True)
    assert ContractYear.objects.filter(cycle=year.cycle).count() == 1
