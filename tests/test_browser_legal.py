"""A resident on a phone asks 青小律 a question in everyday Chinese and sees the
articles, the service line and where to go; then asks for people's mediation and
gets a receipt. The live server has the demo district and a small laws.db."""

import os

import pytest

from pingan.legal.tests.test_legal import laws_db
from tests.server import CHROMIUM, running_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
]
ARTICLES = [
    (
        "中华人民共和国民法典",
        "第七章 相邻关系",
        296,
        "不动产权利人因用水、排水、通行、铺设管线等利用相邻不动产的，应当尽量避免对相邻的"
        "不动产权利人造成损害。",
    ),
    (
        "中华人民共和国民法典",
        "第一章 一般规定",
        1165,
        "行为人因过错侵害他人民事权益造成损害的，应当承担侵权责任。",
    ),
    (
        "中华人民共和国劳动合同法",
        "第四章 劳动合同的履行和变更",
        31,
        "用人单位应当严格执行劳动定额标准，不得强迫或者变相强迫劳动者加班。用人单位安排加班的，"
        "应当按照国家有关规定向劳动者支付加班费。",
    ),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    small = laws_db(tmp_path_factory.mktemp("laws") / "laws.db", ARTICLES)
    with running_demo(laws=str(small)) as url:
        yield url


def test_resident_asks_on_the_phone_and_sees_articles_and_service_line(base_url, browser):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(f"{base_url}/legal/")
    page.select_option("select[name=township]", "630203102000")  # 三合镇
    page.fill("textarea[name=q]", "邻居家排水把我家淹了怎么办")
    page.click("button.send")
    page.wait_for_selector("#service-line")
    assert page.inner_text("#service-line") == "人民调解"
    page.click("details.laws summary")  # the articles come after the plain answer
    laws = page.locator(".article .law").all_inner_texts()
    assert "《民法典》第296条" in laws
    answer = page.inner_text(".bubble.bot >> nth=-1")
    assert "三合镇人民调解委员会" in answer
    # The plain answer comes first: what it is, what to do, where to go (a tap calls).
    assert "相邻关系" in page.inner_text("#about") and "人民调解" in page.inner_text("#steps")
    assert "匹配" not in answer
    calls = page.locator("#where a.tel").evaluate_all("links => links.map(a => a.href)")
    assert calls and all(href.startswith("tel:") for href in calls), calls
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll

    # 青小律 offers mediation: the question comes along, and the request gets a receipt.
    page.click(".offers a:has-text('申请人民调解')")
    assert page.input_value("textarea[name=description]") == "邻居家排水把我家淹了怎么办"
    page.select_option("select[name=village]", "630203102001")  # 三合镇社区
    page.fill("input[name=name]", "马先生")
    page.fill("input[name=phone]", "13897201234")
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt")
    assert page.inner_text("#state") == "待受理"
    phone.close()


def test_a_second_question_in_the_same_conversation(base_url, browser):
    page = browser.new_page(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    page.goto(f"{base_url}/legal/?kiosk=1")
    assert "kiosk" in page.get_attribute("body", "class")
    page.click("text=公司不给加班费")
    page.wait_for_selector("#service-line")
    page.click("details.laws summary")
    assert "《劳动合同法》第31条" in page.locator(".article .law").all_inner_texts()
    # Wage arrears go to 劳动监察 and 劳动仲裁 (and legal aid), not to the 司法所.
    where = page.inner_text("#where")
    assert where.index("劳动保障监察") < where.index("劳动人事争议仲裁") and "司法所" not in where
    assert "12333" in where
    assert page.locator(".bubble.me").count() == 1
    page.close()
