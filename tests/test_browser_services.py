"""阳光政务 and the convenience services end to end in the browser: a resident on a
phone finds an online item, applies with a file and gets a receipt; the centre
asks for more, the resident sends it, the centre accepts; a resident books an
appointment that the village centre then sees."""

import os
import re

import pytest

from tests.server import CHROMIUM, log_in, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
PDF = {"name": "户口簿.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
ID_NUMBER = "630203198503081230"  # a valid check digit


def phone(browser):
    return browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    ).new_page()


def test_apply_online_then_supplement_what_the_centre_asks_for(base_url, browser):
    resident = phone(browser)
    resident.goto(f"{base_url}/zw/?online=1&department=630203102-bm")
    resident.click("article.card h3 a")
    item = resident.inner_text("h1")
    resident.click("text=网上申请")
    resident.fill("input[name=name]", "马海英")
    resident.fill("input[name=id_number]", ID_NUMBER)
    resident.fill("input[name=phone]", "1389720")  # a digit short, and one file missing
    boxes = resident.locator(".material input[type=file]")
    assert boxes.count() >= 1, "one upload box per required material"
    resident.set_input_files("#material-0 input[type=file]", [PDF])
    resident.click("button[type=submit]")
    resident.wait_for_selector("#errors")
    errors = resident.inner_text("#errors")
    assert "联系电话" in errors
    if boxes.count() > 1:
        assert "请上传" in errors  # every mistake at once
    assert "已上传" in resident.inner_text("#material-0")  # the good file stays attached
    resident.fill("input[name=phone]", "13897201234")
    for n in range(1, boxes.count()):
        resident.set_input_files(f"#material-{n} input[type=file]", [PDF])
    resident.click("button[type=submit]")
    resident.wait_for_selector("#receipt")
    receipt = resident.inner_text("#receipt").strip()
    assert re.fullmatch(r"[2-9A-Z]{10}", receipt)
    assert resident.inner_text("#state") == "待受理"

    staff = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    log_in(staff, base_url, "bianmin")
    staff.goto(f"{base_url}/counter/")
    staff.click(f"text={receipt}")
    assert item in staff.inner_text("h1") and ID_NUMBER not in staff.inner_text("main")
    staff.fill("input[name=note][placeholder=需要补正的材料]", "请补交户口簿本人页")
    staff.click("button:has-text('要求补正材料')")
    assert staff.inner_text("#state") == "待补正材料"

    resident.reload()
    assert "请补交户口簿本人页" in resident.inner_text("#steps")
    resident.set_input_files("#supplement input[name=files]", [PDF])
    resident.click("#supplement button[type=submit]")
    resident.wait_for_selector("#state")
    assert resident.inner_text("#state") == "待受理"

    staff.reload()
    staff.click("button:has-text('受理')")
    assert staff.inner_text("#state") == "已受理，办理中"
    resident.reload()
    assert "承诺办结" in resident.inner_text(".facts")
    staff.close()
    resident.close()


def test_book_an_appointment_that_the_village_centre_sees(base_url, browser):
    resident = phone(browser)
    resident.goto(f"{base_url}/bm/book/")
    resident.select_option("select[name=kind]", "household")
    # 118 villages: the township first, then its villages (or a few typed characters).
    everywhere = resident.locator("select[name=village] option[data-township]:not([hidden])")
    assert everywhere.count() == 118
    resident.select_option("[data-village-pick] select[data-township]", "630203102000")
    assert 0 < everywhere.count() < 118
    resident.fill("[data-village-search]", "三合镇社")
    assert resident.input_value("select[name=village]") == "630203102001"  # the one left
    first = resident.locator(".slots .left").nth(3)  # the second day's afternoon
    wait_until(resident, "document.querySelectorAll('.slots .left')[3].textContent.includes('剩')")
    assert first.inner_text().startswith("剩 ")
    choice = resident.locator(".slots input[name=when]").nth(3)
    day = choice.get_attribute("value").split("|")[0]
    choice.check()
    resident.fill("input[name=name]", "李建国")
    resident.fill("input[name=phone]", "13709721188")
    resident.click("button[type=submit]")
    resident.wait_for_selector("#receipt")
    receipt = resident.inner_text("#receipt").strip()
    assert "三合镇社区居民委员会一楼便民服务站" in resident.inner_text("#where")
    resident.close()

    centre = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    log_in(centre, base_url, "cunju")
    centre.goto(f"{base_url}/convenience/appointments/?day={day}")
    row = centre.locator("tr", has_text=receipt)
    assert "137****1188" in row.inner_text()
    row.locator("button[value=done]").click()
    assert "已办理" in centre.locator("tr", has_text=receipt).inner_text()
    centre.close()
