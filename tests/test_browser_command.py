"""The command centre in headless Chromium against the real server with the demo
district: the overview and the big screen draw their charts, the map its grids,
and a township sees only itself."""

import json
import os

import pytest

from tests.server import CHROMIUM, log_in, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
CHARTS = ["chart-trend", "chart-township", "chart-category", "chart-channel", "chart-fieldwork"]
SCREEN_CHARTS = ["chart-trend", "chart-township", "chart-category", "chart-channel"]


def drawn(page, chart: str) -> int:
    page.wait_for_selector(f"#{chart}[data-points] svg path", state="attached")
    return int(page.get_attribute(f"#{chart}", "data-points"))


def test_the_overview_draws_its_charts(base_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/command/?period=last30")
    for chart in CHARTS:
        assert drawn(page, chart) > 0, chart
    assert int(page.inner_text("[data-figure=reported]")) > 0
    page.close()


def test_the_big_screen_fills_1920_by_1080_and_ranks_the_townships(base_url, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/command/screen/")
    for chart in SCREEN_CHARTS:
        assert drawn(page, chart) > 0, chart
    assert page.locator("#ranking tr").count() == 9, "a header and the 8 townships"
    size = page.evaluate("[document.body.scrollWidth, document.body.scrollHeight]")
    assert size == [1920, 1080], "nothing spills off the wall"
    page.close()


def test_a_township_sees_only_itself_on_the_overview_and_the_map(base_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(page, base_url, "xiangzhen")
    page.goto(f"{base_url}/command/?period=year")
    data = json.loads(page.inner_text("#overview-data"))
    assert data["area_level"] == "village"
    villages = [row["name"] for row in data["by_area"]]
    assert villages and all(name.endswith(("村", "社区")) for name in villages), villages
    page.goto(f"{base_url}/command/map/?measure=open")
    page.wait_for_selector("#command-map[data-grids] path.leaflet-interactive", state="attached")
    layers = json.loads(page.inner_text("#map-layers"))
    assert all(f["properties"]["code"].startswith("630203102") for f in layers["grids"]["features"])
    page.close()


def test_the_big_screen_shows_a_new_report_within_15_seconds_without_reloading(base_url, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/command/screen/")
    page.wait_for_selector("#screen-map[data-last] path.leaflet-interactive", state="attached")
    page.wait_for_selector("#ticker li")
    before = int(page.get_attribute("#screen-map", "data-shown"))
    assert page.locator("#ticker li").count() == min(before, 14)
    # A resident reports through the QR page meanwhile; the wall is not reloaded.
    resident = browser.new_page()
    resident.goto(f"{base_url}/r/630203102001001/")
    resident.select_option("select[name=category]", "CG05")
    resident.fill("textarea[name=description]", "大屏测试：井盖缺失")
    resident.click("button[type=submit]")
    resident.wait_for_selector("#receipt")
    resident.close()
    marker = page.evaluate("performance.now()")
    wait_until(
        page, f"Number(document.querySelector('#screen-map').dataset.shown) > {before}", 15_000
    )
    seconds = (page.evaluate("performance.now()") - marker) / 1000
    first = page.inner_text("#ticker li:first-child")
    assert "公共设施" in first and "三合镇社区" in first and "大屏测试" not in first, first
    assert seconds < 15
    labels = page.eval_on_selector_all(
        "#chart-township svg text",
        "nodes => nodes.map(n => parseFloat(getComputedStyle(n).fontSize))",
    )
    assert labels and min(labels) >= 18, labels
    size = page.evaluate("[document.body.scrollWidth, document.body.scrollHeight]")
    assert size == [1920, 1080]
    page.close()
