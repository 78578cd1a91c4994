"""A grid name that carries markup (stored before names were checked, or put in by
someone with database access) is shown as text on every map and page, and runs
nothing; every page carries the Content-Security-Policy."""

import os
import tempfile

import pytest

from tests.server import CHROMIUM, log_in, pingan_shell, running_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
    pytest.mark.timeout(600),
]

MARKUP = '<img src=x onerror="window.__pwned=1">三合镇社区第一网格'


@pytest.fixture(scope="module")
def markup_server():
    rename = (
        "from pingan.accounts.models import User; "
        "from pingan.regions.models import Region; "
        "grid = User.objects.get(username='wangge').region; "
        f"Region.objects.filter(pk=grid.pk).update(name={MARKUP!r}); print(grid.code)"
    )
    with (
        tempfile.TemporaryDirectory(prefix="pingan-xss-") as data_dir,
        running_demo(data_dir=data_dir) as url,
    ):
        yield url, pingan_shell(data_dir, rename)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: page.errors.append(message.text))
    yield page
    context.close()


def tooltips_of_every_shape(page) -> list[str]:
    """Hovers each shape (at most 40) and reads the tooltip it opens."""
    texts = []
    shapes = page.locator("path.leaflet-interactive")
    for index in range(min(shapes.count(), 40)):
        box = shapes.nth(index).bounding_box()
        if box and box["width"] > 2:
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            texts += page.evaluate(
                "[...document.querySelectorAll('.leaflet-tooltip')].map((t) => t.textContent)"
            )
    return texts


def assert_nothing_ran(page):
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0


@pytest.mark.parametrize(
    "path", ["/map/", "/command/map/", "/regions/{grid}/", "/regions/{village}/"]
)
def test_a_grid_named_with_markup_shows_as_text_on_every_map(markup_server, page, path):
    url, grid = markup_server
    log_in(page, url, "zhihui")
    page.goto(url + path.format(grid=grid, village=grid[:12]))
    page.wait_for_selector("#map[data-features], #command-map[data-grids]", state="attached")
    texts = tooltips_of_every_shape(page)
    assert_nothing_ran(page)
    assert any("<img src=x" in text for text in texts) or path == "/regions/{grid}/"


def test_the_markup_name_is_text_on_the_pages_and_the_app(markup_server, page):
    url, grid = markup_server
    log_in(page, url, "wangge")
    for path in (f"/regions/{grid}/", "/", "/grids/search/?q=第一网格", "/command/"):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        assert_nothing_ran(page)
    page.goto(url + "/app/")
    page.wait_for_selector("text=今日任务")
    assert "<img src=x" in page.inner_text("body")
    assert_nothing_ran(page)


def test_every_page_carries_a_policy_without_inline_scripts(markup_server, page):
    url, _ = markup_server
    pages = ["/login/", "/r/" + markup_server[1] + "/", "/legal/", "/zw/", "/bm/"]
    staff = ["/", "/map/", "/events/", "/command/", "/command/map/", "/command/screen/", "/app/"]
    for path in pages:
        response = page.goto(url + path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    log_in(page, url, "zhihui")
    for path in staff + ["/api/docs"]:
        response = page.goto(url + path)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
    # The pages' own behaviour works without inline handlers: the language switch.
    page.goto(url + "/")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html[lang=en]").count() == 1
    assert not [e for e in page.errors if "Content Security Policy" in e], page.errors
