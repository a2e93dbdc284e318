"""The smoke test: a bureau officer signs in, sees the portal frame in Chinese, and a screenshot is kept."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_bureau_logs_in_and_sees_the_portal(page, portal, screenshot_dir):
    page.goto(f"{portal.url}/")
    assert "/accounts/login/" in page.url  # anonymous visitors go to the login page
    page.screenshot(path=str(screenshot_dir / "login.png"))

    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    assert page.get_by_text("东丽区民政局").first.is_visible()
    assert page.get_by_role("heading", name="社工站建设运行总览").is_visible()
    path = screenshot_dir / "home-bureau.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_a_wrong_password_stays_on_the_login_page(page, portal):
    log_in(page, portal.url, "bureau", "not-the-password-1")
    assert "/accounts/login/" in page.url
    assert page.get_by_text("用户名或密码不正确").is_visible()


def test_the_language_switch_turns_the_portal_english_and_back(page, portal, screenshot_dir):
    log_in(page, portal.url, "bureau")
    page.wait_for_url(f"{portal.url}/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Overview of station rollout and operation").is_visible()
    assert page.get_by_role("link", name="Stations").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "home-bureau-en.png"), full_page=True)
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="社工站建设运行总览").is_visible()
