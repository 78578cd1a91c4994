"""部件 in headless Chromium against the real server with the demo district: the
parts map draws its layer under the page's CSP, a filter narrows it, a damaged
part's page names its open event, and a grid worker reports a part in one tap."""

import os

import pytest

from tests.server import CHROMIUM, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]


def drawn(page) -> int:
    page.wait_for_selector("#parts-map[data-features]", state="attached")
    return int(page.get_attribute("#parts-map", "data-features"))


def test_the_parts_map_filters_and_a_damaged_part_names_its_event(base_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/parts/")
    everything = drawn(page)
    assert everything > 1000, "the district's parts on one map"
    page.select_option("select[name=state]", "damaged")
    page.wait_for_url("**state=damaged**")
    damaged = drawn(page)
    assert 0 < damaged < everything
    page.click("table.list tbody a, table.list tr a >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "破损" in page.inner_text("h1")
    assert page.locator("text=在办事件").count() == 1
    assert errors == []
    page.close()


def test_a_grid_worker_reports_a_part_in_one_tap(base_url, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    log_in(page, base_url, "wangge")
    page.goto(f"{base_url}/parts/?state=good&class=0112")
    page.click("table.list tr a >> nth=0")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=description]", "路灯夜间不亮")
    page.click("form[action$='/damage/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    message = page.inner_text("body")
    assert "已上报，回执码" in message and "已转平安区城市管理局" in message
    assert "破损" in page.inner_text("h1")
    page.close()


def test_the_app_reports_a_part_offline_and_it_arrives_once(base_url, browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    log_in(page, base_url, "wangge")
    page.goto(f"{base_url}/app/")
    page.wait_for_selector("text=今日任务")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    snapshot = page.request.get(f"{base_url}/api/field/snapshot").json()
    good = next(p for p in snapshot["parts"] if p["state"] == "good")
    context.set_offline(True)
    page.goto(f"{base_url}/app/#/parts")
    page.fill("#filter", good["code"])
    assert page.locator("#list a.row:visible").count() == 1
    page.click("#list a.row:visible")
    page.select_option("select[name=state]", "damaged")
    page.fill("textarea[name=description]", "井盖松动")
    page.click("#report-part")
    page.wait_for_selector("text=将转部件的养护单位处置")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("text=已上报部件报损", timeout=20_000)
    part = page.request.get(f"{base_url}/api/things/parts/{good['code']}").json()
    assert part["state"] == "damaged"
    context.close()


def test_the_camera_map_draws_views_and_a_camera_reads_out_its_id(base_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/cameras/")
    page.wait_for_selector("#camera-map[data-features]", state="attached")
    assert int(page.get_attribute("#camera-map", "data-features")) > 100
    assert int(page.get_attribute("#camera-map", "data-views")) > 100, (
        "the views are drawn from the points' properties"
    )
    assert page.locator("#camera-map canvas").count() > 0
    page.click("table.list tr a >> nth=0")
    page.wait_for_load_state("networkidle")
    assert "网络摄像机 IPC" in page.inner_text("body")
    page.goto(f"{base_url}/cameras/coverage/")
    assert "%" in page.inner_text("p.big")
    assert failed == []
    page.close()


def test_a_video_patrol_from_the_camera_page_reports_what_it_found(base_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    log_in(page, base_url, "zhihui")
    page.goto(f"{base_url}/cameras/patrols/")
    assert "校园周边每日视频巡查" in page.inner_text("body")
    before = int(page.inner_text("[data-figure=patrols]").split()[0])
    page.click("ul.due a >> nth=0")
    page.fill("textarea[name=seen]", "校门口秩序正常")
    page.fill("input[name=finding]", "校门口有流动摊贩占道")
    page.select_option("select[name=category]", "CG02")
    with page.expect_navigation():
        page.click("form[action$='/patrol/'] button")
    said = page.inner_text("body")
    assert "已记录视频巡查" in said and "回执码" in said and "校门口秩序正常" in said
    page.goto(f"{base_url}/cameras/patrols/")
    assert int(page.inner_text("[data-figure=patrols]").split()[0]) == before + 1
    assert failed == []
    page.close()
