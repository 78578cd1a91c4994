"""The offline queue at a realistic size: a grid worker records 30 visits with 1–6
phone photos each in a dead zone; back online, every one arrives, in requests the
server accepts. A record too large for any request is set aside with the reason and
the rest go on."""

import contextlib
import json
import os
import tempfile

import pytest
from PIL import Image, ImageDraw, ImageFilter

from tests.server import CHROMIUM, log_in, pingan_shell, running_demo, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium"),
    pytest.mark.timeout(900),
]
PHONE = {"width": 390, "height": 844}
VISITS = 30


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """Six camera-sized pictures with a photo's detail (they shrink to 1600 px on
    the phone, a few hundred KB each)."""
    folder = tmp_path_factory.mktemp("camera")
    paths = []
    for index in range(6):
        image = Image.effect_noise((4000, 3000), 40 + index * 8).convert("RGB")
        draw = ImageDraw.Draw(image)
        for step in range(0, 4000, 250):
            draw.rectangle([step, 0, step + 120, 3000], fill=(90 + index * 20, 140, 80))
        path = folder / f"IMG_{index}.jpg"
        image.filter(ImageFilter.GaussianBlur(1)).save(path, format="JPEG", quality=90)
        paths.append(str(path))
    return paths


@contextlib.contextmanager
def server(settings=None):
    """The demo on its own data folder, so the test can count what arrived."""
    with (
        tempfile.TemporaryDirectory(prefix="pingan-sync-") as data_dir,
        running_demo(data_dir=data_dir, settings=settings) as base,
    ):
        yield data_dir, base


def count_on_server(data_dir: str) -> dict:
    query = (
        "import json; from pingan.fieldwork.models import WorkRecord, WorkPhoto; "
        "mine = WorkRecord.objects.filter("
        "by__username='wangge', kind='visit', note__endswith='次入户走访'); "
        "print(json.dumps({'visits': mine.count(), "
        "'photos': WorkPhoto.objects.filter(record__in=mine).count()}))"
    )
    return json.loads(pingan_shell(data_dir, query))


def record_visits_offline(page, base, photos, how_many: int, photos_of) -> None:
    log_in(page, base, "wangge")
    page.goto(f"{base}/app/")
    page.wait_for_selector("text=今日任务")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    households = page.request.get(f"{base}/api/field/snapshot").json()["households"]
    page.context.set_offline(True)
    page.wait_for_selector("#net:text('离线')")
    for index in range(how_many):
        household = households[index % len(households)]
        page.goto(f"{base}/app/#/household/{household['id']}")
        page.click("#visit-this")
        page.fill("textarea[name=note]", f"第{index + 1}次入户走访")
        page.set_input_files("input[type=file]", photos_of(index))
        page.click("button[type=submit]")
        page.wait_for_selector("text=入户走访已保存")


def come_back_online(page) -> None:
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def test_thirty_queued_visits_with_one_to_six_photos_all_arrive(browser, photos):
    with server() as (data_dir, base):
        context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
        page = context.new_page()
        sizes: list[int] = []
        page.on(
            "request",
            lambda r: (
                sizes.append(len(r.post_data_buffer or b""))
                if r.url.endswith("/api/field/sync")
                else None
            ),
        )
        record_visits_offline(page, base, photos, VISITS, lambda i: photos[: i % 6 + 1])
        assert f"待同步 {VISITS}" in page.inner_text("#pending-count")
        come_back_online(page)
        wait_until(page, "!document.querySelector('#pending-count')", timeout=300_000)
        context.close()
        arrived = count_on_server(data_dir)
    expected_photos = sum(i % 6 + 1 for i in range(VISITS))
    assert arrived == {"visits": VISITS, "photos": expected_photos}
    print(f"sync requests: {len(sizes)}, bytes: {sorted(sizes)}")
    assert max(sizes) < 12 * 1024 * 1024


def test_a_record_too_large_for_any_request_is_set_aside_and_the_rest_go_on(browser, photos):
    # A server that reads at most 1.5 MB a request: six photos can never fit.
    limit = {"PINGAN_SYNC_BATCH_BYTES": str(1536 * 1024)}
    with server(limit) as (data_dir, base):
        context = browser.new_context(viewport=PHONE, is_mobile=True, locale="zh-CN")
        page = context.new_page()
        record_visits_offline(page, base, photos, 3, lambda i: photos if i == 0 else photos[:1])
        come_back_online(page)
        wait_until(
            page,
            "document.querySelector('#pending-count') && "
            "document.querySelector('#pending-count').innerText.includes('需处理 1') && "
            "!document.querySelector('#pending-count').innerText.includes('待同步 1 ')",
            timeout=120_000,
        )
        page.goto(f"{base}/app/#/queue")
        page.wait_for_selector("text=未被接收")
        assert "超过 1 MB，无法上传" in page.inner_text("#view")
        context.close()
        arrived = count_on_server(data_dir)
    assert arrived == {"visits": 2, "photos": 2}
