"""One event's whole journey through the closed loop, in headless Chromium against
the real server, as each of its users walks it: a resident reports with a point on
the map; the village centre sets urgency and a deadline as it dispatches; the
department names a handler, who handles it with an after-photo; the grid has no
worker, so the village centre verifies (the page says it must); it calls the
resident back and archives with a score; the resident sees the department's text
and photo beside their own."""

import os
import tempfile

import pytest
from PIL import Image

from tests.server import CHROMIUM, log_in, pingan_shell, running_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
GRID = "630203102001001"  # 三合镇社区第1网格 (the only grid of a one-household demo)
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo():
    with (
        tempfile.TemporaryDirectory(prefix="pingan-journey-") as data_dir,
        running_demo(data_dir=data_dir) as url,
    ):
        # The grid's worker has left and no one leads it: verification falls to the
        # village centre (cunju).
        pingan_shell(data_dir, VACATE)
        yield url


VACATE = (
    "from pingan.accounts.models import User\n"
    "from pingan.regions.models import Region\n"
    f"staff = User.objects.filter(region__code='{GRID}')\n"
    "staff.filter(role__in=['grid_worker', 'grid_leader']).update(is_active=False)\n"
    f"Region.objects.filter(code='{GRID}').update(leader=None)\n"
)


# A day from now and two hours, as a datetime-local input takes it (local time).
TOMORROW = """(() => {
  const d = new Date(Date.now() + 26 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:00`;
})()"""


def photo(folder: str, name: str, colour) -> str:
    path = os.path.join(folder, name)
    Image.new("RGB", (800, 600), colour).save(path, format="JPEG")
    return path


def act(page, action: str) -> None:
    """Submit the event page's form for one action and wait for the page again."""
    form = page.locator(f"form[action$='/act/{action}/']")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_report_dispatch_handle_verify_call_back_archive(demo, browser, tmp_path):
    base = demo
    # ---- the resident, on a phone, places the problem on the map ----------------
    resident = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN").new_page()
    resident.goto(f"{base}/r/{GRID}/")
    resident.select_option("select[name=category]", "CG05")
    resident.fill("textarea[name=description]", "小区门口井盖丢了，晚上很危险")
    resident.wait_for_selector("#map path.leaflet-interactive", state="attached")
    box = resident.locator("#map").bounding_box()
    resident.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert resident.input_value("input[name=picked]") == "1"
    assert "已在地图上选定位置" in resident.inner_text("#location-status")
    resident.set_input_files("input[name=photo]", photo(str(tmp_path), "before.jpg", (90, 90, 90)))
    resident.fill("input[name=phone]", "13897209999")
    resident.fill("input[name=name]", "马先生")
    resident.click("button[type=submit]")
    resident.wait_for_selector("#receipt")
    receipt = resident.inner_text("#receipt").strip()
    assert "三合镇社区第1网格" in resident.inner_text("#grid")
    assert "待综治中心派遣" in resident.inner_text("#department")

    # ---- the village centre: its queue holds it; accept and dispatch, urgent -----
    centre = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(centre, base, "cunju")
    assert centre.url.endswith("/events/")  # a centre lands on its queue
    row = centre.locator("tr", has_text=receipt)
    assert "三合镇社区综治中心 · 受理" in row.inner_text()
    row.locator("a", has_text=receipt).click()
    centre.select_option("form[action$='/act/accept/'] select[name=urgency]", "urgent")
    act(centre, "accept")
    dispatch = centre.locator("form[action$='/act/dispatch/']")
    dispatch.locator("select[name=department_id]").select_option(label="平安区城市管理局")
    dispatch.locator("select[name=urgency]").select_option("critical")
    deadline = centre.evaluate(TOMORROW)
    dispatch.locator("input[name=deadline]").fill(deadline)
    act(centre, "dispatch")
    assert "特急" in centre.inner_text("h1")
    assert "平安区城市管理局" in centre.inner_text("#duty") and "签收" in centre.inner_text("#duty")

    # ---- the department names its handler, who signs and handles with a photo ----
    department = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(department, base, "chengguan")
    assert department.url.endswith("/events/todo/")  # a department lands on its to-do list
    department.click(f"text={receipt}")
    department.select_option("select[name=handler_id]", label="城管执法队员 马文军")
    act(department, "assign_handler")
    assert "承办人 城管执法队员 马文军" in department.inner_text("#duty")
    department.context.clear_cookies()
    log_in(department, base, "zhifa")
    department.goto(centre.url)
    act(department, "sign")
    handle = department.locator("form[action$='/act/handle/']")
    handle.locator("input[name=reason]").fill("已补装新井盖并设置警示标志")
    handle.locator("input[name=photo]").set_input_files(
        photo(str(tmp_path), "after.jpg", (30, 160, 60))
    )
    act(department, "handle")

    # ---- the grid has no worker: the village centre must verify, and can --------
    centre.reload()
    assert "三合镇社区综治中心" in centre.inner_text("#duty")
    assert "现场核查" in centre.inner_text("#duty")
    assert "已补装新井盖" in centre.inner_text("#handled")
    stages = centre.locator(".photos figcaption").all_inner_texts()
    assert stages == ["处置前", "处置后"]
    act(centre, "verify_pass")

    # ---- 回访: the reporter's phone behind the grant, then 评价归档 --------------
    assert "138****9999" in centre.inner_text("#contact")
    assert centre.locator("form[action$='/act/evaluate/']").count() == 0  # call back first
    centre.fill("form[action$='/contact/'] input[name=reason]", "回访")
    with centre.expect_navigation():
        centre.click("form[action$='/contact/'] button")
    assert "13897209999" in centre.inner_text("#contact")
    call = centre.locator("form[action$='/act/call_back/']")
    call.locator("input[name=reached][value='1']").check()
    call.locator("input[name=reason]").fill("群众表示井盖已补好，很满意")
    act(centre, "call_back")
    centre.select_option("form[action$='/act/evaluate/'] select[name=score]", "5")
    act(centre, "evaluate")
    assert "评价归档" in centre.inner_text("h1")
    timeline = centre.inner_text(".timeline")
    assert "回访" in timeline and "已联系上" in timeline

    # ---- the resident sees what the department did --------------------------------
    resident.goto(f"{base}/t/{receipt}/")
    assert "已补装新井盖并设置警示标志" in resident.inner_text("#handled")
    assert resident.locator("figure.shot figcaption").all_inner_texts() == ["处置前", "处置后"]
    assert "平安区城市管理局" in resident.inner_text("#department")
    assert "群众表示" not in resident.inner_text("main")  # the call's notes stay inside
    for page in (resident, centre, department):
        page.close()
