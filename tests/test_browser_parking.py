"""慧停车 in headless Chromium against the real server with the demo district: a
driver on a phone finds free spaces near where they stand, looks up a plate's
arrears with the ticket and pays them at once (the console gateway); the staff's
map draws every place under the page's CSP."""

import os

import pytest

from tests.server import CHROMIUM, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
PHONE = {"width": 390, "height": 844}


def test_a_driver_finds_free_spaces_and_pays_the_arrears_once(base_url, browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", permissions=["geolocation"]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{base_url}/parking/")
    assert page.locator("ul.places li").count() == 17
    # The phone stands where the last place listed is (the one with fewest free spaces).
    last = page.locator("ul.places li").last
    name = last.locator("strong").inner_text()
    href = last.locator("a").get_attribute("href")
    lng, lat = (float(x) for x in href.split("position=")[1].split("&")[0].split(","))
    context.set_geolocation({"longitude": lng, "latitude": lat})
    with page.expect_navigation():
        page.click("#locate")
    assert "按离您的距离排列" in page.inner_text("main")
    nearest = page.locator("ul.places li").first.inner_text()
    assert name in nearest and "约 0 米" in nearest

    page.click("nav.services >> text=查询缴费")
    page.fill("input[name=plate]", "青B12345")
    page.fill("input[name=ticket]", "demo8888")
    page.click("button[type=submit]")
    said = page.inner_text("main")
    assert "欠费" in said and "合计" in said
    total = page.inner_text("p.big")
    with page.expect_navigation():
        page.click("button[name=pay]")
    assert page.locator(".qr svg").count() == 1 and total.split()[-1] in page.inner_text("main")
    with page.expect_navigation():
        page.click("text=打开演示钱包支付")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "缴费成功" in page.inner_text("main")

    page.goto(f"{base_url}/parking/owed/")
    page.fill("input[name=plate]", "青B12345")
    page.fill("input[name=ticket]", "DEMO8888")
    page.click("button[type=submit]")
    assert "没有需要缴纳的停车费" in page.inner_text("main")
    assert errors == []
    context.close()


def test_the_staff_map_draws_every_place(base_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, base_url, "tingche")
    page.goto(f"{base_url}/parking/manage/")
    page.wait_for_selector("#parking-map[data-features]", state="attached")
    assert page.get_attribute("#parking-map", "data-features") == "17"
    page.click("table.list tr a >> nth=0")
    assert "分时占用率" in page.inner_text("main")
    assert errors == []
    page.close()
