"""Everyday flows in the browser (issue 17, acceptance 1), each at 1366×768 and at 390×844 with touch: the street
office logs a site check with a photo and sees it and its history; the bureau reviews three reports in a row from
the list; the contractor goes from its home page's overdue item to a submitted brief. Screenshots at both sizes in
var/screenshots/."""

import pytest
from PIL import Image

from reports.models import Report
from stations.models import SiteConditionLog, Station
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
}


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    """A page at one of the two sizes, and that size's name for the screenshots."""
    context = browser.new_context(locale="zh-CN", **SIZES[request.param])
    yield context.new_page(), request.param
    context.close()


def on_phone(size: str) -> bool:
    return size == "phone"


def open_menu_item(page, size: str, name: str) -> None:
    """The left menu on a desktop; on a phone, the menu button first, then the item (and the menu closes)."""
    if on_phone(size):
        page.get_by_role("button", name="菜单").click()
        page.locator("#portal-menu").get_by_role("link", name=name, exact=True).click()
    else:
        page.locator("#portal-menu").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def test_street_logs_a_site_check_with_a_photo_and_sees_its_history(sized, portal, screenshot_dir, tmp_path):
    page, size = sized
    picture = tmp_path / "门牌.jpg"
    Image.new("RGB", (1600, 1200), (200, 60, 40)).save(picture, "JPEG")
    station = Station.objects.get(street__name="张贵庄街道")
    log_in(page, portal.url, "zhangguizhuang")
    page.wait_for_url(f"{portal.url}/stations/{station.pk}/")
    page.get_by_role("link", name="登记场所检查").first.click()
    # Pre-filled from the last check: the officer changes only what changed.
    assert page.get_by_label("电脑", exact=True).is_checked()
    assert "预先勾选" in page.locator("p.text-muted").first.inner_text()
    page.get_by_label("打印机", exact=True).uncheck()
    assert page.locator("#id_photos").get_attribute("capture") == "environment"
    page.set_input_files("#id_photos", str(picture))
    page.fill("#id_notes", "打印机送修")
    page.screenshot(path=str(screenshot_dir / f"everyday-site-check-form-{size}.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="保存检查记录").click()
    assert page.get_by_text("场所设置检查记录已保存").is_visible()

    # The photo shows as a thumbnail that has really loaded.
    thumb = page.locator("img.portal-thumb").first
    thumb.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", thumb.element_handle())
    # The history: the check just made, what it changed, and the check before it.
    page.get_by_role("tab", name="场所检查").click()
    history = page.locator("#tab-site")
    newest = history.locator("section").first
    assert "打印机送修" in newest.inner_text()
    assert "不再具备：打印机" in newest.inner_text()
    assert history.locator("section").count() >= 2
    assert newest.locator("img.portal-thumb").count() == 1
    page.wait_for_timeout(300)  # the tab's fade
    page.screenshot(path=str(screenshot_dir / f"everyday-site-history-{size}.png"), full_page=True)
    log = SiteConditionLog.objects.filter(station=station).order_by("-pk").first()
    assert log.photos.count() == 1 and not log.has_printer and log.has_computer

    # Opening the thumbnail shows the full picture.
    with page.context.expect_page() as opened:
        newest.locator("a:has(img.portal-thumb)").click()
    full = opened.value
    full.wait_for_load_state()
    assert "view=full" in full.url


def test_bureau_reviews_three_reports_in_a_row_from_the_list(sized, portal, screenshot_dir):
    page, size = sized
    waiting = Report.objects.filter(status=Report.Status.SUBMITTED).count()
    assert waiting >= 3
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    open_menu_item(page, size, "报告")
    if on_phone(size):
        # The filters are folded behind one button on a phone.
        assert not page.locator("#portal-filters").is_visible()
        page.get_by_role("button", name="筛选").click()
        # The panel slides open; the choice is made once it stands still.
        page.locator("#portal-filters.show").wait_for()
        page.wait_for_function("!document.querySelector('#portal-filters.collapsing')")
    page.select_option("#id_status", "submitted")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert "status=submitted" in page.url
    page.screenshot(path=str(screenshot_dir / f"everyday-review-list-{size}.png"), full_page=True)
    if on_phone(size):
        # A table row reads as a card: the column's name beside each value.
        first_cell = page.locator("table.portal-cards tbody tr").first.locator("td").first
        assert first_cell.get_attribute("data-label") == "社工站"
    page.locator("table tbody tr a[href$='/review/']").first.click()
    reviewed = []
    for _ in range(3):
        page.wait_for_load_state()
        assert "/review/" in page.url
        reviewed.append(int(page.url.rstrip("/").split("/")[-2]))
        page.get_by_label("通过", exact=True).check()
        with page.expect_navigation():
            page.get_by_role("button", name="提交审核结果").click()
    page.screenshot(path=str(screenshot_dir / f"everyday-review-next-{size}.png"), full_page=True)
    assert len(set(reviewed)) == 3
    assert Report.objects.filter(pk__in=reviewed, status=Report.Status.ACCEPTED).count() == 3
    assert Report.objects.filter(status=Report.Status.SUBMITTED).count() == waiting - 3
    # An accepted report still opens for the bureau, read-only.
    page.goto(f"{portal.url}/reports/{reviewed[0]}/review/")
    assert "此处只读" in page.content()


def test_contractor_goes_from_its_overdue_item_to_a_submitted_brief(sized, portal, screenshot_dir):
    page, size = sized
    log_in(page, portal.url, "org-a")
    page.wait_for_url(f"{portal.url}/")
    page.screenshot(path=str(screenshot_dir / f"everyday-contractor-home-{size}.png"), full_page=True)
    findings = page.locator(".card", has_text="需要处理的问题")
    findings.get_by_role("link", name="2026年10月月度工作简报").first.click()
    page.wait_for_load_state()
    # The new-report form starts from the brief owed: 新立's October.
    assert page.locator("#id_kind").input_value() == "monthly"
    assert page.locator("#id_period").input_value() == "2026-10"
    assert "新立街道" in page.locator("#id_contract_year option:checked").inner_text()
    page.screenshot(path=str(screenshot_dir / f"everyday-new-brief-{size}.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="创建草稿").click()
    assert "/reports/" in page.url
    page.fill("#id_highlights", "开展困难群众走访")
    page.fill("input[name=fig_social_assistance_case_sessions]", "2")
    page.fill("input[name=fig_social_assistance_case_people]", "12")
    page.fill("#id_people_served", "")
    with page.expect_navigation():
        page.get_by_role("button", name="提交", exact=True).click()
    assert page.get_by_text("报告已提交").is_visible()
    page.screenshot(path=str(screenshot_dir / f"everyday-brief-submitted-{size}.png"), full_page=True)
    brief = Report.objects.get(
        contract_year__station__street__name="新立街道", kind="monthly", period__year=2026, period__month=10
    )
    assert brief.status == Report.Status.SUBMITTED and brief.people_served == 12
    # The overdue item has left the home page.
    page.goto(f"{portal.url}/")
    assert page.locator(".card", has_text="需要处理的问题").get_by_text("2026年10月月度工作简报").count() == 0


def test_phone_pages_have_text_of_16px_and_targets_of_44px(browser, portal):
    """On a phone: no text under 16 px, no button, field or menu link under 44 px high."""
    context = browser.new_context(locale="zh-CN", **SIZES["phone"])
    page = context.new_page()
    log_in(page, portal.url, "org-a")
    page.wait_for_url(f"{portal.url}/")
    for path in ("/", "/reports/", "/reports/new/", "/staffing/workers/"):
        page.goto(f"{portal.url}{path}")
        small = page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(el => {
                const style = getComputedStyle(el);
                const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
                return text && el.offsetParent !== null && parseFloat(style.fontSize) < 16;
            }).map(el => el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 20))"""
        )
        assert small == [], (path, small[:5])
        tiny = page.evaluate(
            """() => [...document.querySelectorAll('.btn, .form-control, .form-select, .page-link')]
                .filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
                .map(el => el.outerHTML.slice(0, 80))"""
        )
        assert tiny == [], (path, tiny[:5])
    context.close()


def test_a_keyboard_user_skips_to_the_content_with_one_tab(page, portal):
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    page.keyboard.press("Tab")
    skip = page.locator("a.portal-skip")
    assert skip.is_visible() and skip.inner_text() == "跳到正文"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
