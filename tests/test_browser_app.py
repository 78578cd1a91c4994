"""The mobile workbench in headless Chromium at a phone's size, against the real
server: a grid worker goes offline, records a household visit with a photo and
an event, comes back, and both arrive exactly once; a replay changes nothing; a
record changed on the server meanwhile shows as a conflict, never overwritten."""

import json
import os

import pytest
from PIL import Image

from tests.server import CHROMIUM, log_in, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", permissions=["geolocation"]
    )
    yield context
    context.close()


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "现场.jpg"
    Image.new("RGB", (1200, 900), (120, 160, 90)).save(path, format="JPEG")
    return path


def open_app(page, base: str, username: str) -> dict:
    """Log in, open the app, wait until the grid is on the phone; the snapshot."""
    log_in(page, base, username)
    page.goto(f"{base}/app/")
    page.wait_for_selector("text=今日任务")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    snapshot = page.request.get(f"{base}/api/field/snapshot").json()
    home = snapshot["households"][0]
    page.context.set_geolocation({"longitude": home["lng"], "latitude": home["lat"]})
    return snapshot


def stats_of(page, base: str, username: str) -> dict:
    rows = page.request.get(f"{base}/api/field/stats?by=worker&period=today").json()["rows"]
    mine = [row for row in rows if row["key"] == username]
    return mine[0] if mine else {"visit": 0, "events": 0}


def pending(page) -> str:
    locator = page.locator("#pending-count")
    return locator.inner_text() if locator.count() else ""


def test_offline_visit_and_event_arrive_exactly_once(base_url, phone, photo):
    page = phone.new_page()
    snapshot = open_app(page, base_url, "wangge")
    before = stats_of(page, base_url, "wangge")
    household = snapshot["households"][0]
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data) if r.url.endswith("/api/field/sync") else None,
    )

    phone.set_offline(True)
    page.wait_for_selector("#net:text('离线')")
    page.goto(f"{base_url}/app/#/households")
    page.click("#show-map")
    page.wait_for_selector("#map path.leaflet-interactive")
    assert page.locator("#map path.leaflet-interactive").count() > len(snapshot["households"]) / 2
    page.goto(f"{base_url}/app/#/household/{household['id']}")
    page.click("#visit-this")
    page.fill("input[name=f_needs]", "希望办理低保")
    page.fill("textarea[name=note]", "入户了解家庭情况，老人身体尚好")
    page.set_input_files("input[type=file]", str(photo))
    page.click("button[type=submit]")
    page.wait_for_selector("text=入户走访已保存")
    page.goto(f"{base_url}/app/#/event/new")
    page.select_option("select[name=category]", index=1)
    page.fill("textarea[name=description]", "村口路灯不亮，夜间行人不便")
    page.click("button[type=submit]")
    page.wait_for_selector("text=事件已保存")
    assert "待同步 2" in pending(page)

    # The phone is still offline: the app opens from its cache with its queue.
    page.reload()
    page.wait_for_selector("text=今日任务")
    assert "待同步 2" in pending(page)
    assert sent == [], "nothing left the phone while offline"

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "!document.querySelector('#pending-count')", timeout=20_000)
    after = stats_of(page, base_url, "wangge")
    assert after["visit"] == before["visit"] + 1
    assert after["events"] == before["events"] + 1
    (body,) = [b for b in sent if b]
    items = json.loads(body)["items"]
    assert [item["kind"] for item in items] == ["work", "event"]
    assert items[0]["body"]["photos"][0].startswith("data:image/jpeg;base64,")

    # The same queue sent once more: each item is answered as a replay.
    replay = page.request.post(
        f"{base_url}/api/field/sync",
        data=body,
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(phone)},
    ).json()["results"]
    assert [r["status"] for r in replay] == [200, 200]
    assert stats_of(page, base_url, "wangge") == after

    # On the web, the visit carries its photo.
    page.goto(f"{base_url}/fieldwork/records/?kind=visit")
    page.click("table.list td a")
    assert "入户了解家庭情况" in page.inner_text("main")
    assert page.locator("main img").count() == 1


def csrf(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")


def test_a_server_change_made_while_offline_is_shown_as_a_conflict(base_url, browser, phone):
    page = phone.new_page()
    snapshot = open_app(page, base_url, "wangge")
    person = next(p for p in snapshot["people"] if p["household_id"])
    seen = person["occupation"] or ""

    phone.set_offline(True)
    page.goto(f"{base_url}/app/#/person/{person['id']}")
    page.fill("input[name=occupation]", "个体经营（离线修改）")
    page.click("button[type=submit]")
    page.wait_for_selector("text=修改已保存")

    # Meanwhile the village officer corrects the same field on the server.
    office = browser.new_context(locale="zh-CN")
    officer = office.new_page()
    log_in(officer, base_url, "cunju")
    change = {
        "kind": "person_update",
        "target_id": person["id"],
        "payload": {"occupation": "教师"},
        "base": {"occupation": seen},
    }
    answer = officer.request.post(
        f"{base_url}/api/field/sync",
        data=json.dumps(
            {
                "items": [
                    {
                        "uuid": "6f1c2f9e-3b1e-4f6e-9a53-0c1d2e3f4a5b",
                        "kind": "change",
                        "body": change,
                    }
                ]
            }
        ),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(office)},
    ).json()["results"][0]
    assert answer["result"]["status"] == "applied"

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, "!document.querySelector('#pending-count')", timeout=20_000)
    page.goto(f"{base_url}/app/#/queue")
    page.wait_for_selector(".conflict")
    text = page.inner_text(".conflict")
    assert "教师" in text and "个体经营（离线修改）" in text

    conflicts = officer.request.get(f"{base_url}/api/field/changes?status=conflict").json()["items"]
    assert [c["server"] for c in conflicts] == [{"occupation": "教师"}]
    office.close()

    page.click("text=保留服务器的")
    wait_until(page, "!document.querySelector('.conflict')")
    fresh = page.request.get(f"{base_url}/api/field/snapshot").json()
    assert next(p for p in fresh["people"] if p["id"] == person["id"])["occupation"] == "教师"


def test_handlers_and_managers_work_from_the_phone(base_url, phone):
    page = phone.new_page()
    log_in(page, base_url, "chengguan")
    page.goto(f"{base_url}/app/")
    waiting = page.locator("#todo a.row", has_text="已派遣待签收").first
    waiting.wait_for()
    event_id = waiting.get_attribute("href").rsplit("/", 1)[1]
    waiting.click()
    page.click("button[data-action=sign]")
    page.wait_for_selector("text=已签收")
    wait_until(page, "!document.querySelector('#pending-count')")
    assert page.request.get(f"{base_url}/api/events/{event_id}").json()["state"] == "handling"

    phone.clear_cookies()
    log_in(page, base_url, "cunju")
    page.goto(f"{base_url}/app/")
    page.locator("#todo a.row").first.wait_for()
    assert "待受理" in page.inner_text("#todo") or "已立案" in page.inner_text("#todo")

    phone.clear_cookies()
    log_in(page, base_url, "lingdao")
    page.goto(f"{base_url}/app/")
    page.wait_for_selector("#figures table")
    figures = page.locator("#figures .figure").all_inner_texts()
    assert int(figures[0]) > 0, "open events in the district"
    assert int(figures[3]) > 1000, "the district's people"


def test_the_app_warns_before_the_phones_storage_fills(base_url, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    # A phone whose browser storage is 90% used (the queue's photos, say).
    full = "Promise.resolve({usage: 90 * 2 ** 20, quota: 100 * 2 ** 20})"
    context.add_init_script(f"navigator.storage.estimate = () => {full};")
    page = context.new_page()
    log_in(page, base_url, "wangge")
    page.goto(f"{base_url}/app/")
    page.wait_for_selector("text=今日任务")
    warning = page.locator("#storage-warning")
    assert "已用 90 / 100 MB" in warning.inner_text() and "联网同步" in warning.inner_text()
    context.close()


def test_no_storage_warning_with_room_to_spare(base_url, phone):
    page = phone.new_page()
    open_app(page, base_url, "wangge")
    assert page.locator("#storage-warning").count() == 0


def test_the_household_search_filters_the_list_and_names_each_head(base_url, phone):
    page = phone.new_page()
    snapshot = open_app(page, base_url, "wangge")
    page.goto(f"{base_url}/app/#/households")
    page.wait_for_selector("#list a.row")
    rows = page.locator("#list a.row")
    assert rows.count() == len(snapshot["households"])
    wanted = snapshot["households"][-1]
    page.fill("#filter", wanted["number"])
    visible = page.locator("#list a.row:visible")
    assert visible.count() == 1 and wanted["number"] in visible.inner_text()
    heads = [p["name"] for p in snapshot["people"] if p["relation_to_head"] == "户主"]
    page.fill("#filter", "")
    assert page.locator("#list a.row:visible").count() == len(snapshot["households"])
    assert heads and f"户主 {heads[0]}" in page.inner_text("#list")


def test_deep_links_open_after_a_reload_without_errors(base_url, browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A grid worker's very first open of the app is a link to the household list:
    # the grid is not on the phone yet.
    log_in(page, base_url, "wangge")
    page.goto(f"{base_url}/app/#/households")
    page.wait_for_selector("#list a.row")
    page.reload()
    page.wait_for_selector("#list a.row")
    household = page.request.get(f"{base_url}/api/field/snapshot").json()["households"][0]
    page.goto(f"{base_url}/app/#/household/{household['id']}")
    page.reload()
    page.wait_for_selector("#visit-this")
    # A handler reloads a task page, which is drawn from the to-do list.
    page.context.clear_cookies()
    log_in(page, base_url, "chengguan")
    todo = page.request.get(f"{base_url}/api/field/todo").json()["items"]
    assert todo, "the demo gives 城管 events to handle"
    page.goto(f"{base_url}/app/#/task/{todo[0]['id']}")
    page.reload()
    page.wait_for_selector("#task-form")
    assert "已不在待办列表" not in page.inner_text("#view")
    assert errors == []
    context.close()


def test_a_checklist_problem_is_a_hazard_in_one_tap_and_the_save_says_what_happened(
    base_url, phone
):
    page = phone.new_page()
    snapshot = open_app(page, base_url, "wangge")
    place = next(p for p in snapshot["places"] if p["kind"] == "venue")
    items = snapshot["checklists"]["venue"]
    page.goto(f"{base_url}/app/#/work/inspection?place={place['id']}")
    for entry in items:
        page.check(f"input[name=c_{entry['key']}][value=ok]")
    problem = next(e for e in items if e["key"] == "extinguishers")
    page.check("input[name=c_extinguishers][value=problem]")
    hazard = page.locator(".hazard[data-item=extinguishers]")
    assert hazard.count() == 1
    assert hazard.locator("select").input_value() == problem["category"] == "ZZ05"
    assert problem["label"] in hazard.locator("input").input_value()
    page.check("input[name=c_exits][value=problem]")
    page.check("input[name=c_exits][value=ok]")  # changed their mind: taken back
    assert page.locator(".hazard").count() == 1
    page.fill("textarea[name=note]", "例行排查，灭火器过期")
    page.click("button[type=submit]")
    page.wait_for_selector("#saved")
    saved = page.inner_text("#saved")
    assert saved.startswith("已保存重点场所排查，已上报事件 "), saved
    receipt = saved.split("已上报事件 ")[1].split("，")[0].strip()
    event = page.request.get(f"{base_url}/api/events", params={"q": receipt}).json()["items"]
    assert event and event[0]["category"].endswith("消防隐患")


def test_the_verifier_sees_what_the_department_did_in_the_app(base_url, browser, tmp_path):
    worker = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
    phone = worker.new_page()
    snapshot = open_app(phone, base_url, "wangge")
    home = snapshot["households"][0]
    made = phone.request.post(
        f"{base_url}/api/events",
        data=json.dumps(
            {"category": "CG05", "lng": home["lng"], "lat": home["lat"], "description": "井盖松动"}
        ),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(worker)},
    ).json()
    event_id = made["event"]["id"]

    def act(page, action: str) -> None:
        with page.expect_navigation():
            page.locator(f"form[action$='/act/{action}/'] button[type=submit]").click()

    office = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    log_in(office, base_url, "zhihui")
    office.goto(f"{base_url}/events/{event_id}/")
    act(office, "accept")
    office.locator("form[action$='/act/dispatch/'] select[name=department_id]").select_option(
        label="平安区城市管理局"
    )
    act(office, "dispatch")
    office.context.clear_cookies()
    log_in(office, base_url, "chengguan")
    office.goto(f"{base_url}/events/{event_id}/")
    act(office, "sign")
    after = tmp_path / "after.jpg"
    Image.new("RGB", (640, 480), (30, 150, 60)).save(after, format="JPEG")
    handle = office.locator("form[action$='/act/handle/']")
    handle.locator("input[name=reason]").fill("已重新固定井盖")
    handle.locator("input[name=photo]").set_input_files(str(after))
    act(office, "handle")
    office.close()

    phone.goto(f"{base_url}/app/")
    phone.evaluate("fetch('/api/field/snapshot')")  # the app reloads its snapshot on open
    phone.reload()
    phone.wait_for_selector("text=今日任务")
    phone.goto(f"{base_url}/app/#/verify/{event_id}")
    phone.wait_for_selector("#verify-form")
    card = phone.inner_text("#view")
    assert "平安区城市管理局处置情况" in card and "已重新固定井盖" in card
    assert phone.locator("figure.shot figcaption").all_inner_texts() == ["处置后"]
    wait_until(phone, "document.querySelector('figure.shot img').naturalWidth > 0")
    worker.close()
