"""Screenshots of the main pages for docs/screenshots/, from the real server with
the full demo district. Run: make screenshots"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.server import CHROMIUM, CHROMIUM_ARGS, log_in, running_demo, wait_until  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def shoot(page, name: str, wait_map: bool = False) -> None:
    if wait_map:
        page.wait_for_selector("#map[data-features]")
        page.wait_for_timeout(300)
    page.screenshot(path=OUT / f"{name}.png", full_page=False)
    print(f"wrote {OUT / name}.png")


def bad_import_file() -> Path:
    """A small people sheet with mistakes, to show the import's error report."""
    import tempfile

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["网格编码", "户号", "房屋编号", "姓名", "公民身份号码", "性别", "联系电话"])
    book.active.append(["630203102001001", "", "", "张明", "63020319900101123X", "", ""])
    book.active.append(["630203102001001", "", "", "李华", "630203199202021244", "男", "1391234"])
    book.active.append(["630203999001001", "", "", "王芳", "630203198503031260", "", ""])
    path = Path(tempfile.mkdtemp()) / "新登记人口.xlsx"
    book.save(path)
    return path


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        running_demo(households=40_000, laws="packaged", with_worker=True) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        page.goto(f"{base}/login/")
        shoot(page, "login")
        log_in(page, base, "zhihui")
        page.goto(f"{base}/mine/")
        shoot(page, "district", wait_map=True)
        page.goto(f"{base}/map/")
        shoot(page, "grid-map", wait_map=True)
        page.goto(f"{base}/regions/630203102000/")
        shoot(page, "township", wait_map=True)
        page.goto(f"{base}/grids/search/?q=三合村")
        shoot(page, "grid-search")
        parts(browser, base)
        parking(browser, base)
        page.context.clear_cookies()
        log_in(page, base, "cunju")
        page.goto(f"{base}/mine/")
        page.click("text=网格划分方案")
        shoot(page, "grid-plan", wait_map=True)
        page.context.clear_cookies()
        log_in(page, base, "wangge")
        page.goto(f"{base}/mine/")
        shoot(page, "grid", wait_map=True)
        page.context.clear_cookies()
        log_in(page, base, "admin")
        page.goto(f"{base}/admin/")
        shoot(page, "admin")
        page.context.clear_cookies()
        log_in(page, base, "zhihui")
        page.goto(f"{base}/events/?state=open")
        shoot(page, "event-queue")
        page.click("table.queue tbody tr:nth-child(2) a")
        shoot(page, "event", wait_map=True)
        page.goto(f"{base}/regions/630203102001001/qr/")
        shoot(page, "grid-qr")
        page.goto(f"{base}/data/")
        shoot(page, "data-home")
        page.goto(f"{base}/data/poverty-relief/")
        shoot(page, "category")
        page.context.clear_cookies()
        log_in(page, base, "wangge")
        page.goto(f"{base}/visits/")
        shoot(page, "visits")
        page.click("table.list tbody tr:first-child a, table.list tr:nth-child(2) a")
        shoot(page, "record")
        page.goto(f"{base}/people/")
        shoot(page, "people")
        page.click("table.list tbody tr:first-child a")
        shoot(page, "person")
        page.goto(f"{base}/data/import/")
        page.set_input_files("input[name=file]", str(bad_import_file()))
        page.click("button[type=submit]")
        page.wait_for_selector("text=全部未导入")
        shoot(page, "import")
        page.context.clear_cookies()
        log_in(page, base, "admin")
        page.goto(f"{base}/data/categories/new/")
        shoot(page, "category-new")
        page.context.clear_cookies()
        log_in(page, base, "chengguan")
        page.goto(f"{base}/events/todo/")
        shoot(page, "department-todo")
        journey(browser, base)
        workbench(browser, base)
        command(browser, base)
        public_services(browser, base)
        browser.close()


def command(browser, base: str) -> None:
    """The command centre's pages, and the big screen at the wall's 1920×1080."""
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(page, base, "zhihui")
    page.goto(f"{base}/command/?period=last30")
    page.wait_for_selector("#chart-trend[data-points] svg", state="attached")
    shoot(page, "command-overview")
    month = page.evaluate("new Date(Date.now() - 30 * 86400000).toISOString().slice(0, 7)")
    page.goto(f"{base}/command/assessment/?month={month}&by=township")
    shoot(page, "command-assessment")
    page.goto(f"{base}/command/map/?measure=open")
    page.wait_for_selector("#command-map[data-grids]")
    page.wait_for_timeout(500)
    shoot(page, "command-map")
    page.goto(f"{base}/command/accountability/?month={month}&by=department")
    shoot(page, "command-accountability")
    page.goto(f"{base}/command/report/?period=month")
    page.wait_for_selector("#chart-category[data-points] svg", state="attached")
    shoot(page, "command-report")
    page.close()
    wall = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    log_in(wall, base, "zhihui")
    wall.goto(f"{base}/command/screen/")
    wall.wait_for_selector("#chart-trend[data-points] svg", state="attached")
    wall.wait_for_selector("#ticker li")
    wall.wait_for_timeout(800)
    shoot(wall, "command-screen")
    wall.close()


def workbench(browser, base: str) -> None:
    """The fieldwork statistics page, and the mobile workbench's main screens at a
    phone's size."""
    office = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    log_in(office, base, "zhihui")
    office.goto(f"{base}/fieldwork/?by=township&period=last30")
    shoot(office, "fieldwork-stats")
    office.close()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    log_in(phone, base, "wangge")
    phone.goto(f"{base}/app/")
    phone.wait_for_selector("text=今日任务")
    shoot(phone, "app-home")
    phone.goto(f"{base}/app/#/households")
    phone.click("#show-map")
    phone.wait_for_timeout(500)
    shoot(phone, "app-households")
    phone.click("#list a.row")
    shoot(phone, "app-household")
    phone.click("#visit-this")
    phone.fill("input[name=f_needs]", "希望办理城乡低保")
    phone.fill("textarea[name=note]", "入户了解家庭收入情况，老人身体尚好")
    shoot(phone, "app-visit")
    phone.goto(f"{base}/app/#/places")
    phone.click("text=三合宾馆")
    phone.check("input[name=c_extinguishers][value=problem]")  # the hazard in one tap
    shoot(phone, "app-inspection")
    verify = phone.evaluate("fetch('/api/field/snapshot').then(r => r.json()).then(s => s.verify)")
    if verify:
        phone.goto(f"{base}/app/#/verify/{verify[0]['id']}")
        phone.wait_for_selector("#verify-form")
        shoot(phone, "app-verify")
    context.set_offline(True)
    phone.goto(f"{base}/app/#/event/new")
    phone.select_option("select[name=category]", index=3)
    phone.fill("textarea[name=description]", "村口路灯不亮，夜间行人不便")
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=事件已保存")
    phone.goto(f"{base}/app/#/queue")
    shoot(phone, "app-queue-offline")
    context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(phone, "!document.querySelector('#pending-count')")
    phone.goto(f"{base}/app/#/stats?period=month&by=worker")
    phone.wait_for_selector("#stats table")
    shoot(phone, "app-stats")
    context.clear_cookies()
    log_in(phone, base, "chengguan")
    phone.goto(f"{base}/app/")
    phone.wait_for_selector("#todo a.row, #todo p")
    shoot(phone, "app-department")
    context.clear_cookies()
    log_in(phone, base, "lingdao")
    phone.goto(f"{base}/app/")
    phone.wait_for_selector("#figures table")
    shoot(phone, "app-leader")
    context.close()


def public_services(browser, base: str) -> None:
    """青小律, 阳光政务 and the convenience services: the resident's side on a phone,
    the staff's desks on a PC. Needs the statutes loaded (running_demo(laws=...))."""
    phone = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    phone.goto(f"{base}/legal/")
    phone.select_option("select[name=township]", "630203102000")
    phone.fill("textarea[name=q]", "邻居家漏水把我家淹了怎么办")
    phone.click("button.send")
    phone.wait_for_selector("#service-line")
    phone.wait_for_timeout(600)
    shoot(phone, "legal-assistant")
    phone.goto(f"{base}/zw/?q=老年人优待证&township=630203102000")
    shoot(phone, "counter-catalogue")
    phone.click("article.card a")
    shoot(phone, "counter-item")
    phone.goto(f"{base}/bm/book/?kind=household&village=630203102001")
    phone.wait_for_selector(".slots .left")
    phone.locator("#slots").scroll_into_view_if_needed()
    shoot(phone, "convenience-book")
    phone.goto(f"{base}/bm/property/")
    phone.click("article.card a")
    shoot(phone, "convenience-estate")
    phone.close()
    office = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    log_in(office, base, "bianmin")
    office.goto(f"{base}/counter/")
    shoot(office, "counter-desk")
    office.click("table.list a")
    shoot(office, "counter-application")
    office.close()


def journey(browser, base: str) -> None:
    """One event through the loop, each page as its user sees it: the resident's
    report with a map point and its receipt, the centre's queue (待我办理) and the
    event at dispatch, the department naming a handler, the handled event with its
    before/after photos as the village centre must verify it (the grid's post is
    vacant), the call back, and the resident's follow-up page."""
    import tempfile

    from PIL import Image

    folder = Path(tempfile.mkdtemp())
    for name, colour in [("before.jpg", (110, 110, 110)), ("after.jpg", (40, 150, 70))]:
        Image.new("RGB", (800, 600), colour).save(folder / name, format="JPEG")
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone.goto(f"{base}/r/630203102001003/")  # 三合镇社区第3网格, no worker
    phone.select_option("select[name=category]", "CG05")
    phone.fill("textarea[name=description]", "小区门口井盖缺失，晚上很危险")
    phone.wait_for_selector("#map path.leaflet-interactive", state="attached")
    box = phone.locator("#map").bounding_box()
    phone.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.set_input_files("input[name=photo]", str(folder / "before.jpg"))
    phone.fill("input[name=phone]", "13897209999")
    phone.locator("#map").scroll_into_view_if_needed()
    phone.wait_for_timeout(500)
    shoot(phone, "public-report")
    phone.click("button[type=submit]")
    phone.wait_for_selector("#receipt")
    receipt = phone.inner_text("#receipt").strip()
    shoot(phone, "public-receipt")
    centre = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(centre, base, "cunju")
    shoot(centre, "event-queue-mine")
    centre.click(f"text={receipt}")

    def act(page, action: str) -> None:
        with page.expect_navigation():
            page.locator(f"form[action$='/act/{action}/'] button[type=submit]").click()

    centre.select_option("form[action$='/act/accept/'] select[name=urgency]", "urgent")
    act(centre, "accept")
    centre.locator("form[action$='/act/dispatch/'] select[name=department_id]").select_option(
        label="平安区城市管理局"
    )
    shoot(centre, "event-dispatch")
    act(centre, "dispatch")
    event_url = centre.url
    department = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(department, base, "chengguan")
    department.goto(event_url)
    department.select_option("select[name=handler_id]", label="城管执法队员 马文军")
    act(department, "assign_handler")
    act(department, "sign")
    handle = department.locator("form[action$='/act/handle/']")
    handle.locator("input[name=reason]").fill("已补装新井盖并设置警示标志")
    handle.locator("input[name=photo]").set_input_files(str(folder / "after.jpg"))
    act(department, "handle")
    department.close()
    centre.reload()
    shoot(centre, "event-verify")
    act(centre, "verify_pass")
    centre.fill("form[action$='/contact/'] input[name=reason]", "回访")
    with centre.expect_navigation():
        centre.click("form[action$='/contact/'] button")
    shoot(centre, "event-call-back")
    centre.close()
    phone.goto(f"{base}/t/{receipt}/")
    shoot(phone, "public-track")
    phone.close()


def parts(browser, base: str) -> None:
    """部件: the map, a damaged part with its event, the figures."""
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    log_in(page, base, "zhihui")
    page.goto(f"{base}/parts/")
    page.wait_for_selector("#parts-map[data-features]", state="attached")
    page.wait_for_timeout(500)
    shoot(page, "parts-map")
    page.goto(f"{base}/parts/?state=damaged")
    page.click("table.list tr a >> nth=0")
    page.wait_for_selector("#parts-map[data-features]", state="attached")
    page.wait_for_timeout(300)
    shoot(page, "part")
    page.goto(f"{base}/parts/figures/")
    shoot(page, "parts-figures")
    page.goto(f"{base}/cameras/coverage/")
    shoot(page, "coverage")
    page.goto(f"{base}/cameras/")
    page.wait_for_selector("#camera-map[data-features]", state="attached")
    page.wait_for_timeout(500)
    shoot(page, "cameras")
    page.goto(f"{base}/cameras/?use=entrance")
    page.click("table.list tr a >> nth=0")
    page.wait_for_selector("#camera-map[data-features]", state="attached")
    page.wait_for_timeout(300)
    shoot(page, "camera")
    page.goto(f"{base}/cameras/patrols/")
    shoot(page, "patrols")
    page.close()


def parking(browser, base: str) -> None:
    """慧停车: the map with occupancy, a road's day, the driver's dues on a phone."""
    page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    log_in(page, base, "tingche")
    page.goto(f"{base}/parking/manage/")
    page.wait_for_selector("#parking-map[data-features]", state="attached")
    page.wait_for_timeout(500)
    shoot(page, "parking-map")
    page.click("table.list tr a >> nth=0")
    shoot(page, "parking-place")
    page.close()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    driver = phone.new_page()
    driver.goto(f"{base}/parking/owed/")
    driver.fill("input[name=plate]", "青B12345")
    driver.fill("input[name=ticket]", "DEMO8888")
    driver.click("button[type=submit]")
    shoot(driver, "parking-driver")
    driver.goto(f"{base}/parking/")
    shoot(driver, "parking-near")
    phone.close()


PARTS = {
    "parking": parking,
    "parts": parts,
    "app": workbench,
    "command": command,
    "services": public_services,
    "journey": journey,
}


def only(part) -> None:
    with (
        running_demo(households=40_000, laws="packaged", with_worker=True) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        part(browser, base)
        browser.close()


if __name__ == "__main__":
    only(PARTS[sys.argv[1]]) if sys.argv[1:] else main()
