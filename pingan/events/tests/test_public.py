import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pingan.events.models import Event, State
from pingan.events.tests.test_lifecycle import act
from pingan.events.tests.test_photos import jpeg_with_gps
from pingan.notices.models import OutboundMessage


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


def test_a_phone_location_elsewhere_keeps_the_qr_grid_a_point_chosen_on_the_map_moves_it(
    tree, departments
):
    cache.clear()
    client = Client()
    # The phone says grid A1-2, a street away: the QR code of A1-1 keeps the report.
    report(client, tree.grid_a1_1, lng="101.5", lat="31.0", description="手机定位")
    # Outside the district altogether: the QR grid, at its middle.
    report(client, tree.grid_a1_1, lng="120.0", lat="31.0", description="定位漂移")
    # The resident put the point on the map in A1-2: routed by the point.
    report(client, tree.grid_a1_1, lng="101.5", lat="31.0", picked="1", description="地图选点")
    by_text = {e.description: e for e in Event.objects.select_related("grid")}
    assert by_text["手机定位"].grid == tree.grid_a1_1 and by_text["手机定位"].lng == 101.5
    assert by_text["定位漂移"].grid == tree.grid_a1_1 and 100 < by_text["定位漂移"].lng < 101
    assert by_text["地图选点"].grid == tree.grid_a1_2
    page = client.get(f"/t/{by_text['地图选点'].receipt}/?new=1").content.decode()
    assert "平安街道村1 平安街道村1第2网格" in page and "待综治中心派遣" in page


def test_open_reports_nearby_are_shown_before_filing_without_their_words(tree, departments):
    cache.clear()
    client = Client()
    report(client, tree.grid_a1_1, lng="100.5", lat="31.0", description="张三家门口井盖丢了")
    found = client.get(
        f"/r/{tree.grid_a1_1.code}/nearby/", {"category": "CG05", "lng": "100.5001", "lat": "31.0"}
    ).json()["items"]
    assert len(found) == 1 and found[0]["category"] == "公共设施" and found[0]["metres"] < 20
    assert "张三" not in str(found) and "receipt" not in found[0]
    far = client.get(
        f"/r/{tree.grid_a1_1.code}/nearby/", {"category": "CG05", "lng": "100.9", "lat": "31.9"}
    ).json()["items"]
    assert far == []
    junk = client.get(f"/r/{tree.grid_a1_1.code}/nearby/", {"category": "??", "lng": "x"})
    assert junk.status_code == 200 and junk.json() == {"items": []}
    assert "附近已有的反映" in client.get(f"/r/{tree.grid_a1_1.code}/").content.decode()


def test_the_resident_sees_what_the_department_did_and_its_after_photo(
    tree, personas, departments, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    client = Client()
    before = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    report(client, tree.grid_a1_1, photo=before)
    event = Event.objects.get()
    village, cg = personas.village_officer, personas.department_handler
    act(event, "accept", village)
    act(event, "dispatch", village, department_id=departments["cg"].pk)
    act(event, "sign", cg)
    staff = Client()
    staff.force_login(cg)
    after = SimpleUploadedFile("b.jpg", jpeg_with_gps(), content_type="image/jpeg")
    staff.post(
        f"/events/{event.pk}/act/handle/",
        {
            "version": Event.objects.get(pk=event.pk).version,
            "reason": "已补装新井盖",
            "photo": after,
        },
    )
    event.refresh_from_db()
    assert event.state == State.HANDLED
    assert [p.stage for p in event.photos.order_by("id")] == ["处置前", "处置后"]
    page = client.get(f"/t/{event.receipt}/").content.decode()
    assert "已补装新井盖" in page and "处置后" in page and departments["cg"].name in page
    verifier = Client()
    verifier.force_login(personas.grid_worker_a)
    detail = verifier.get(f"/events/{event.pk}/").content.decode()
    assert "处置情况" in detail and "已补装新井盖" in detail and "处置后" in detail
    snapshot = verifier.get("/api/field/snapshot").json()
    (waiting,) = snapshot["verify"]
    assert waiting["handled_note"] == "已补装新井盖"
    assert [p["stage"] for p in waiting["photos"]] == ["处置前", "处置后"]
    assert verifier.get(waiting["photos"][1]["url"]).status_code == 200
