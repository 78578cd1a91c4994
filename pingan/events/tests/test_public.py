import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pingan.events.models import Event, OutboundMessage, State
from pingan.events.tests.test_lifecycle import act
from pingan.events.tests.test_photos import jpeg_with_gps


def report(client, grid, **fields):
    data = {"category": "CG05", "description": "井盖缺失", "phone": "13600000000", **fields}
    return client.post(f"/r/{grid.code}/", data)


def test_report_page_is_chinese_and_needs_no_login(tree):
    page = Client().get(f"/r/{tree.grid_a1_1.code}/")
    assert page.status_code == 200 and "反映问题" in page.content.decode()


def test_a_resident_reports_gets_a_receipt_and_follows_it(tree, departments, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    client = Client()
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = report(client, tree.grid_a1_1, photo=photo)
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.channel == "public" and event.grid == tree.grid_a1_1
    page = client.get(response["Location"]).content.decode()
    assert event.receipt in page and "请记下回执码" in page
    assert client.get(f"/t/{event.receipt.lower()}/").status_code == 200
    photo_url = f"/t/{event.receipt}/photos/{event.photos.get().pk}/"
    assert client.get(photo_url).status_code == 200


def test_bad_input_keeps_what_was_typed_and_stores_nothing(tree, departments):
    cache.clear()
    response = report(Client(), tree.grid_a1_1, category="XX01", description="我写的描述")
    text = response.content.decode()
    assert response.status_code == 422 and "未知的事件类别" in text and "我写的描述" in text
    response = report(Client(), tree.grid_a1_1, photo=SimpleUploadedFile("a.jpg", b"not image"))
    assert "只能上传" in response.content.decode()
    response = report(Client(), tree.grid_a1_1, phone="abc")
    assert "手机号" in response.content.decode()
    assert not Event.objects.exists()


def test_an_unknown_receipt_gets_a_clear_message(db):
    response = Client().get("/t/NOPE123456/")
    assert response.status_code == 404 and "没有找到回执码" in response.content.decode()


def test_rating_after_closure_once(tree, personas, departments):
    cache.clear()
    report(Client(), tree.grid_a1_1)
    event = Event.objects.get()
    village = personas.village_officer
    act(event, "accept", village)
    act(event, "resolve_on_spot", village, reason="已修复")
    act(event, "verify_pass", personas.grid_worker_a)
    assert OutboundMessage.objects.filter(phone="13600000000", text__contains="办结").exists()
    client = Client()
    page = client.get(f"/t/{event.receipt}/").content.decode()
    assert "请评价" in page and "136****0000" in page
    # The receipt alone does not rate a report that gave a phone number.
    refused = client.post(f"/t/{event.receipt}/rate/", {"satisfaction": "1"})
    assert refused.status_code == 422 and "请先获取验证码" in refused.content.decode()
    assert client.post(f"/t/{event.receipt}/code/").status_code == 302
    texted = OutboundMessage.objects.filter(text__contains="评价验证码").get()
    assert texted.phone == "13600000000"
    code = texted.text.split("验证码 ")[1][:6]
    wrong = client.post(f"/t/{event.receipt}/rate/", {"satisfaction": "1", "code": "000000"})
    assert wrong.status_code == 422 and "验证码不正确" in wrong.content.decode()
    client.post(f"/t/{event.receipt}/rate/", {"satisfaction": "4", "comment": "好", "code": code})
    event.refresh_from_db()
    assert event.satisfaction == 4 and event.state == State.CLOSED
    again = client.post(f"/t/{event.receipt}/rate/", {"satisfaction": "1", "code": code})
    assert again.status_code == 422 and "已经评价" in again.content.decode()


def test_a_rating_code_is_spent_after_five_wrong_tries(tree, personas, departments):
    from pingan.events import rating

    cache.clear()
    report(Client(), tree.grid_a1_1)
    event = Event.objects.get()
    rating.code_send(event)
    for _ in range(rating.MAX_TRIES):
        with pytest.raises(rating.RatingRefused, match="不正确"):
            rating.code_check(event, "999999")
    with pytest.raises(rating.RatingRefused, match="请先获取"):
        rating.code_check(event, "999999")
    with pytest.raises(rating.RatingRefused, match="1分钟后"):
        rating.code_send(event)


def test_public_reporting_is_rate_limited(tree, departments, monkeypatch):
    from pingan.events import views_public

    cache.clear()
    monkeypatch.setattr(views_public, "REPORTS_PER_HOUR", 2)
    client = Client()
    assert report(client, tree.grid_a1_1).status_code == 302
    assert report(client, tree.grid_a1_1).status_code == 302
    assert report(client, tree.grid_a1_1).status_code == 429


def test_junk_in_a_report_is_refused_with_a_reason_and_stores_nothing(tree, departments):
    cases = [
        ({"description": "井盖\x0b缺失"}, "不能识别的字符"),
        ({"name": "张" * 5000}, "姓名最多 50 个字"),
        ({"address": "路" * 100_000}, "地址最多 200 个字"),
    ]
    for fields, message in cases:
        cache.clear()
        response = report(Client(), tree.grid_a1_1, **fields)
        assert response.status_code == 422 and message in response.content.decode(), fields
    assert not Event.objects.exists()


def test_the_open311_feed_stays_valid_xml_with_an_old_control_character(tree, departments):
    import xml.etree.ElementTree as ET

    cache.clear()
    report(Client(), tree.grid_a1_1, description="井盖缺失")
    Event.objects.update(description="井盖\x07缺失")  # stored before input was checked
    feed = Client().get("/open311/v2/requests.xml")
    assert feed.status_code == 200
    ET.fromstring(feed.content)
