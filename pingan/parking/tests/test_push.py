"""The cameras' own formats through the real URLs: the 臻识 push and heartbeat,
and the generic batch."""

import base64
import json

import pytest

from pingan.parking.models import Passage, PlateCamera, Session, SessionState
from pingan.parking.tests.conftest import at

pytestmark = pytest.mark.django_db
ZHENSHI = "/parking/push/zhenshi/"


def plate_push(serial: str, plate: str, when, plateid: int, **result) -> bytes:
    body = {
        "AlarmInfoPlate": {
            "channel": 0,
            "deviceName": "区政府停车场入口",
            "ipaddr": "192.168.10.21",
            "serialno": serial,
            "result": {
                "PlateResult": {
                    "license": plate,
                    "colorType": 1,
                    "type": 1,
                    "confidence": 94,
                    "direction": 4,
                    "timeStamp": {"Timeval": {"sec": int(when.timestamp()), "usec": 638740}},
                    "triggerType": 8,
                    "plateid": plateid,
                    "isoffline": 0,
                    **result,
                }
            },
        }
    }
    return json.dumps(body, ensure_ascii=False).encode()


def post(client, body: bytes, url=ZHENSHI, content_type="text/plain"):
    # cameras do not always say JSON; the body is read as it is
    return client.post(url, body, content_type=content_type)


def test_a_zhenshi_push_opens_the_gate_and_echoes_the_record(client, lots):
    reply = post(client, plate_push("in-101", "青B12345", at(1, 9), 90813))
    assert reply.status_code == 200
    answer = reply.json()["Response_AlarmInfoPlate"]
    assert answer["info"] == "ok" and answer["plateid"] == 90813 and "青B12345" in answer["content"]
    passage = Passage.objects.get()
    assert (passage.plate, passage.direction, passage.at, passage.source_id) == (
        "青B12345",
        "in",
        at(1, 9).replace(microsecond=638740),  # the camera's time, to the microsecond
        "90813",
    )
    leaving = post(client, plate_push("out-101", "青B12345", at(1, 10), 1))
    assert leaving.json()["Response_AlarmInfoPlate"]["info"] == "no"  # ¥2.00 due
    assert Session.objects.get().state == SessionState.CLOSED


def test_a_resent_record_is_stored_once_and_never_opens(client, lots):
    body = plate_push("in-101", "青B12345", at(1, 9), 5, isoffline=1)
    first = post(client, body).json()["Response_AlarmInfoPlate"]
    again = post(client, body).json()["Response_AlarmInfoPlate"]
    assert first["info"] == again["info"] == "no"
    assert Passage.objects.count() == 1 and Passage.objects.get().offline


def test_the_picture_is_kept_with_the_passage(client, lots, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 100
    post(
        client,
        plate_push("in-101", "青B12345", at(1, 9), 7, imageFile=base64.b64encode(jpeg).decode()),
    )
    assert Passage.objects.get().image.read() == jpeg


def test_an_unknown_camera_is_refused_and_listed(client, lots):
    answer = post(client, plate_push("0f823866-d2dc45ab", "青B12345", at(1, 9), 1)).json()
    assert answer == {"Response_AlarmInfoPlate": {"info": "no"}}
    listed = PlateCamera.objects.get(serial="0f823866-d2dc45ab")
    assert not listed.accepted and listed.refused == 1 and listed.name == "区政府停车场入口"
    assert Passage.objects.count() == 0


def test_heartbeats_are_signs_of_life(client, lots):
    reply = post(client, json.dumps({"heartbeat": 1, "serialno": "in-101"}).encode())
    assert reply.json() == {"Response_Heartbeat": {"info": "no", "shutoff": "no", "snapnow": "no"}}
    assert PlateCamera.objects.get(serial="in-101").last_seen is not None
    plain = post(client, json.dumps({"AlarmInfoPlate": {"serialno": "in-101"}}).encode())
    assert plain.json()["Response_AlarmInfoPlate"]["info"] == "no"


@pytest.mark.parametrize(
    "body", [b"", b"not json", b"[1,2]", b'{"AlarmInfoPlate": {}}', b"\xff\xfe"]
)
def test_a_bad_push_is_answered_in_json(client, lots, body):
    reply = post(client, body)
    assert reply.status_code == 400 and reply.json()["Response_AlarmInfoPlate"]["info"] == "no"


def test_the_generic_batch_answers_each_event(client, lots):
    events = [
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "park_start",
            "time": "2026-12-01T09:00:00+08:00",
            "id": "a1",
            "space": "A03",
        },
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "park_end",
            "time": int(at(1, 10, 30).timestamp() * 1000),
            "id": "a2",
        },
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "fly",
            "time": "2026-12-01T09:00:00+08:00",
            "id": "a3",
        },
        {
            "camera": "nobody",
            "plate": "青B12345",
            "event": "in",
            "time": "2026-12-01T09:00:00+08:00",
            "id": "a4",
        },
        {"camera": "hp-001", "plate": "青B12345", "event": "in", "id": "a5"},
    ]
    reply = client.post("/api/parking/events", {"events": events}, content_type="application/json")
    assert reply.status_code == 200
    results = reply.json()["results"]
    assert [r["ok"] for r in results] == [True, True, False, False, False]
    assert (
        "fly" in results[2]["error"]
        and "未登记" in results[3]["error"]
        and "time" in results[4]["error"]
    )
    session = Session.objects.get()
    assert session.fee_fen == 500 and Passage.objects.filter(space="A03").exists()


def test_a_bad_batch_is_a_structured_error(client, lots):
    reply = client.post("/api/parking/events", {"events": []}, content_type="application/json")
    assert reply.status_code == 422 and "events" in reply.json()["error"]["message"]


def test_a_batch_pairs_its_own_reads_and_spans_places(client, lots):
    """One request with a whole visit, a repeat of one of its reads and reads of
    another place: the same stays as if sent one by one."""
    events = [
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "out",
            "time": "2026-12-01T10:30:00+08:00",
            "id": "b2",
        },
        {"camera": "in-101", "plate": "青B54321", "time": "2026-12-01T09:10:00+08:00", "id": "c1"},
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "in",
            "time": "2026-12-01T09:00:00+08:00",
            "id": "b1",
        },
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "out",
            "time": "2026-12-01T10:30:00+08:00",
            "id": "b2",
        },
        {
            "camera": "hp-001",
            "plate": "青B77777",
            "event": "in",
            "time": "2026-12-01T09:00:00+08:00",
            "id": "b3",
        },
    ]
    results = client.post(
        "/api/parking/events", {"events": events}, content_type="application/json"
    ).json()["results"]
    assert [r["ok"] for r in results] == [True] * 5
    assert [r["duplicate"] for r in results] == [False, False, False, True, False]
    assert results[0]["session"] == results[2]["session"] == results[3]["session"]
    street = Session.objects.filter(place=lots.street).order_by("plate")
    assert [(s.plate, s.state, s.fee_fen) for s in street] == [
        ("青B12345", SessionState.CLOSED, 500),
        ("青B77777", SessionState.OPEN, 0),
    ]
    assert Session.objects.get(place=lots.lot).state == SessionState.OPEN
    assert Passage.objects.count() == 4
    from pingan.parking import rounds

    assert rounds.recount(fix=False) == []


def test_a_repeat_within_one_batch_points_at_its_first(client, lots):
    events = [
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "in",
            "time": "2026-12-01T09:00:00+08:00",
            "id": "x1",
        },
        {
            "camera": "hp-001",
            "plate": "青B12345",
            "event": "in",
            "time": "2026-12-01T09:00:30+08:00",
            "id": "x2",
        },
    ]
    results = client.post(
        "/api/parking/events", {"events": events}, content_type="application/json"
    ).json()["results"]
    assert [r["duplicate"] for r in results] == [False, True]
    first, again = Passage.objects.order_by("pk")
    assert again.duplicate_of == first and Session.objects.count() == 1
