"""The command centre in headless Chromium against the real server with the demo
district: the overview and the big screen draw their charts, the map its grids,
and a township sees only itself."""

import json
import os

import pytest

from tests.server import CHROMIUM, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
CHARTS = ["chart-trend", "chart-township", "chart-category", "chart-channel", "chart-fieldwork"]


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
    for chart in CHARTS:
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
