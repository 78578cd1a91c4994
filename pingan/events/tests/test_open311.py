import xml.etree.ElementTree as ET

from django.test import Client

from pingan.events.models import Channel, Event
from pingan.events.open311 import api_key_create
from pingan.events.services import event_report
from pingan.events.tests.conftest import IN_A1_1, report_in

KEY = "test-key-123"


def post(client, **fields):
    data = {
        "api_key": KEY,
        "service_code": "CG01",
        "lat": IN_A1_1[1],
        "long": IN_A1_1[0],
        "description": "路灯不亮",
        "address_string": "平安路1号",
        **fields,
    }
    return client.post(
        "/open311/v2/requests.json", {k: v for k, v in data.items() if v is not None}
    )


def test_services_in_json_and_xml(db):
    services = Client().get("/open311/v2/services.json").json()
    codes = {s["service_code"] for s in services}
    assert {"CG01", "LY02", "ZZ01"} <= codes and "CG" not in codes
    xml = ET.fromstring(Client().get("/open311/v2/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == len(services)
    definition = Client().get("/open311/v2/services/CG01.json").json()
    assert definition["service_code"] == "CG01"
    assert Client().get("/open311/v2/services/NOPE.json").status_code == 404


def test_post_needs_a_valid_api_key(tree, departments):
    api_key_create("test", KEY)
    response = post(Client(), api_key="wrong")
    assert response.status_code == 403
    assert response.json()[0]["code"] == 403
    assert not Event.objects.exists()


def test_post_and_read_back(tree, departments):
    api_key_create("test", KEY)
    response = post(Client(), first_name="明", last_name="王", phone="13700000000")
    assert response.status_code == 201
    request_id = response.json()[0]["service_request_id"]
    event = Event.objects.get(pk=int(request_id))
    assert event.channel == Channel.OPEN311 and event.reporter_name == "王明"
    assert event.receipt in response.json()[0]["service_notice"]  # for the poster only
    row = Client().get(f"/open311/v2/requests/{request_id}.json").json()[0]
    assert row["status"] == "open" and row["service_code"] == "CG01"
    assert "13700000000" not in str(row) and "王明" not in str(row)
    xml = ET.fromstring(Client().get(f"/open311/v2/requests/{request_id}.xml").content)
    assert xml.find("request/service_request_id").text == request_id


def test_bad_posts_get_open311_errors(tree, departments):
    api_key_create("test", KEY)
    client = Client()
    assert post(client, service_code="XX").status_code == 400
    assert post(client, lat=None, long=None).status_code == 400
    outside = post(client, lat=0, long=0)
    assert outside.status_code == 400 and "网格" in outside.json()[0]["description"]
    assert not Event.objects.exists()


def test_only_public_reports_are_listed(tree, personas, departments):
    event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    public = event_report(actor=None, channel="public", report=report_in()).event
    listed = Client().get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [str(public.pk)]
    assert Client().get("/open311/v2/requests.json?status=closed").json() == []
    bad = Client().get("/open311/v2/requests.json?start_date=yesterday")
    assert bad.status_code == 400


def test_the_public_list_never_hands_out_a_receipt(tree, departments, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingan.events.tests.test_photos import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    Client().post(
        f"/r/{tree.grid_a1_1.code}/",
        {"category": "CG05", "description": "井盖缺失", "phone": "13600000000", "photo": photo},
    )
    event = Event.objects.get()
    feed = Client().get("/open311/v2/requests.json")
    assert event.receipt not in feed.content.decode()
    (row,) = feed.json()
    assert Client().get(f"/t/{row['service_request_id']}/").status_code == 404
    media = Client().get(row["media_url"].removeprefix("http://testserver"))
    assert media.status_code == 200 and media["Content-Type"] == "image/jpeg"
