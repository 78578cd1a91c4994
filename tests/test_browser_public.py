"""A resident on a phone: opens the grid's QR page, files a report, gets a receipt
code and follows the event with it. Headless Chromium, phone-sized viewport."""

import os
import re

import pytest

from tests.server import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]

GRID = "630203102001001"  # 三合镇社区第1网格 in the demo district


def test_resident_reports_from_the_qr_page_and_follows_by_receipt(base_url, browser):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = phone.new_page()
    page.goto(f"{base_url}/r/{GRID}/")
    assert "三合镇社区" in page.inner_text(".where")
    page.select_option("select[name=category]", "CG05")
    page.fill("textarea[name=description]", "小区门口井盖缺失，晚上很危险")
    page.fill("input[name=phone]", "13912345678")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt")
    receipt = page.inner_text("#receipt").strip()
    assert re.fullmatch(r"[2-9A-Z]{10}", receipt)
    assert page.inner_text("#state") == "待受理"

    # Later, from another phone: look the event up by its receipt code.
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    lookup = other.new_page()
    lookup.goto(f"{base_url}/t/")
    lookup.fill("input[name=receipt]", receipt.lower())
    lookup.click("button[type=submit]")
    lookup.wait_for_selector("#state")
    assert receipt in lookup.inner_text("main")
    assert "收到您的反映" in lookup.inner_text(".timeline")
    phone.close()
    other.close()
