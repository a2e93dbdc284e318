"""Issue 18, acceptance 3: the import preview shows how each column was read, in Chinese; the contractor corrects
one column's mapping in the browser and confirms, and the roster is imported."""

import pytest
from openpyxl import Workbook

from staffing.models import SocialWorker
from tests.browser.conftest import log_in
from tests.documents.test_roster_as_kept import SUN, WANG

pytestmark = pytest.mark.browser


def test_contractor_corrects_a_column_mapping_and_confirms(page, portal, screenshot_dir, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["启航社工花名册"])
    sheet.append(
        ["姓名", "身份证号", "联络号码", "入职日期", "证书等级", "证号", "取得日期"]
    )  # 联络号码: a name we do not know
    sheet.append(["王晓雯", WANG, "13812345678", "2025-07-01", "社会工作师", "2024120110101", "2024-06-20"])
    sheet.append(["孙悦", SUN, "13712345678", "2026年3月2日", "", "", ""])
    path = tmp_path / "花名册.xlsx"
    book.save(path)

    log_in(page, portal.url, "org-a")
    page.wait_for_url(f"{portal.url}/")
    page.goto(f"{portal.url}/exports/imports/roster/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    # The phone column was not recognised: the preview says so and shows how every column was read.
    assert "缺少必填列：手机号码" in page.locator(".alert-danger").inner_text()
    mapping = page.locator("#column-mapping")
    assert mapping.get_by_label("“联络号码”读作").input_value() == ""
    assert mapping.get_by_label("“身份证号”读作").input_value() == "id_number"
    page.screenshot(path=str(screenshot_dir / "import-mapping-before.png"), full_page=True)

    mapping.get_by_label("“联络号码”读作").select_option(label="手机号码")
    mapping.get_by_role("button", name="按此对应重新预览").click()
    page.wait_for_load_state()
    assert "全部可以导入" in page.locator(".alert-success").inner_text()
    preview = page.locator("table").last.inner_text()
    assert "社会工作师" in preview and "女" in preview  # labels, not codes; gender from the ID number
    assert "social_worker" not in preview and "\tF\t" not in preview
    page.screenshot(path=str(screenshot_dir / "import-mapping-after.png"), full_page=True)

    before = SocialWorker.objects.count()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    assert page.get_by_text("已导入2行").is_visible()
    assert SocialWorker.objects.count() == before + 2
    assert SocialWorker.objects.get(name="王晓雯").phone == "13812345678"
