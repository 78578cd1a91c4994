"""The staff shell in headless Chromium against the real server."""

import os

import pytest

from tests.server import CHROMIUM, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_township_officer_logs_in_and_sees_their_township_on_the_map(base_url, page):
    log_in(page, base_url, "xiangzhen")
    assert page.url.endswith("/events/")  # a centre lands on its queue
    page.click("nav a:has-text('我的辖区')")
    assert page.locator("h1").first.inner_text().startswith("三合镇")
    page.wait_for_selector("#map[data-features]")
    assert int(page.get_attribute("#map", "data-features")) > 1
    assert page.locator("path.leaflet-interactive").count() > 1


def test_grid_map_draws_every_grid_in_scope(base_url, page):
    log_in(page, base_url, "cunju")
    page.goto(f"{base_url}/map/")
    page.wait_for_selector("#map[data-features]")
    assert int(page.get_attribute("#map", "data-features")) >= 1


def test_wrong_password_shows_a_chinese_error(base_url, page):
    log_in(page, base_url, "xiangzhen", "not-the-password")
    assert "用户名或密码错误" in page.inner_text("[role=alert]")


def test_search_finds_a_grid_as_you_type(base_url, page):
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/grids/search/")
    page.fill("main input[name=q]", "三合村")
    page.wait_for_selector("#results td a")
    assert "三合村" in page.inner_text("#results")
