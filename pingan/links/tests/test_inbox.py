"""The inbox through its real URL: signatures checked first, each message applied
once, a repeat answered as the first time, early messages held until their turn."""

import time

import pytest

from pingan.links import signing
from pingan.links.models import Received
from pingan.links.tests.conftest import envelope, post

pytestmark = pytest.mark.django_db


def test_a_ping_is_answered(client, city, settings):
    settings.LINKS_REGION_CODE = "630203"
    reply = post(client, city, envelope("link.ping", {}))
    assert reply.status_code == 200
    assert reply.json()["ok"] and reply.json()["pong"] == "630203"


def test_a_repeated_id_gets_its_first_answer_and_does_nothing_more(client, city, noted):
    body = envelope("test.note", {"n": 1})
    first = post(client, city, body, webhook_id="msg_A")
    again = post(client, city, body, webhook_id="msg_A")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"ok": True, "noted": 1}
    assert noted == [{"n": 1}] and Received.objects.count() == 1


def test_the_same_id_with_another_body_is_a_conflict(client, city, noted):
    post(client, city, envelope("test.note", {"n": 1}), webhook_id="msg_A")
    reply = post(client, city, envelope("test.note", {"n": 2}), webhook_id="msg_A")
    assert reply.status_code == 409 and reply.json()["error"] == "id_reused"
    assert noted == [{"n": 1}]


def test_a_forged_or_stale_message_is_refused_and_nothing_kept(client, city, noted):
    body = envelope("test.note", {"n": 1})
    forged = client.post(
        f"/links/inbox/{city.region_code}/",
        body,
        content_type="application/json",
        headers=signing.headers("msg_F", body, [signing.new_secret()], time.time()),
    )
    assert forged.status_code == 401 and forged.json()["error"] == "bad_signature"
    stale = post(client, city, body, at=time.time() - 600)
    assert stale.status_code == 401 and stale.json()["error"] == "timestamp_out_of_range"
    assert noted == [] and not Received.objects.exists()


def test_an_unknown_peer_and_a_disabled_link(client, city):
    body = envelope("link.ping", {})
    city.region_code = "630100"
    assert post(client, city, body).status_code == 404
    city.region_code = "630200"
    city.enabled = False
    city.save()
    reply = post(client, city, body)
    assert reply.status_code == 410 and "停用" in reply.json()["message"]


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", envelope("nonesuch", {}), envelope("test.note", {}, "", 3)],
)
def test_a_bad_message_is_a_structured_error(client, city, noted, body):
    reply = post(client, city, body)
    assert reply.status_code == 400 and reply.json()["error"] == "bad_message"


def test_messages_of_a_subject_are_applied_in_order_whatever_order_they_come(client, city, noted):
    third = post(client, city, envelope("test.note", {"n": 3}, "event:1", 3))
    second = post(client, city, envelope("test.note", {"n": 2}, "event:1", 2))
    assert third.status_code == second.status_code == 202
    assert third.json() == {"held": True, "waiting_for": 1} and noted == []
    first = post(client, city, envelope("test.note", {"n": 1}, "event:1", 1))
    assert first.status_code == 200
    assert [d["n"] for d in noted] == [1, 2, 3]
    assert set(Received.objects.values_list("state", flat=True)) == {"applied"}
    # the same step again under another id (a replay): already here, not applied twice
    again = post(client, city, envelope("test.note", {"n": 2}, "event:1", 2))
    assert again.status_code == 200 and again.json()["duplicate"]
    assert len(noted) == 3


def test_a_refused_message_is_not_kept_so_its_retry_can_apply(client, city, noted):
    noted.refusing.add(1)
    body = envelope("test.note", {"n": 1}, "event:1", 1)
    refused = post(client, city, body, "msg_R")
    assert refused.status_code == 422 and refused.json()["message"] == "还不能处理"
    assert not Received.objects.exists()
    noted.refusing.clear()  # say, the administrator mapped the missing code
    retried = post(client, city, body, "msg_R")
    assert retried.status_code == 200 and noted == [{"n": 1}]


def test_a_held_message_refused_when_its_turn_comes_is_tried_again(client, city, noted):
    from django.utils import timezone

    from pingan.links import inbox

    noted.refusing.add(2)
    post(client, city, envelope("test.note", {"n": 2}, "event:1", 2))
    post(client, city, envelope("test.note", {"n": 1}, "event:1", 1))
    assert noted == [{"n": 1}] and Received.objects.get(seq=2).state == "held"
    assert inbox.held_round(timezone.now()) == ""
    noted.refusing.clear()
    assert inbox.held_round(timezone.now()) == "互联互通：补处理 1 条等待前序的消息"
    assert [d["n"] for d in noted] == [1, 2]


def test_an_unmapped_code_is_reported_never_guessed(client, city):
    from pingan.links import mapping
    from pingan.links.handlers import HANDLERS
    from pingan.links.models import Unmapped

    got = []

    def categorised(link, data, now):
        got.append(mapping.ours(link, "category", data["category"]))
        return {}

    HANDLERS["test.categorised"] = categorised
    try:
        body = envelope("test.categorised", {"category": "0203"}, "event:1", 1)
        reply = post(client, city, body, "msg_C")
        assert reply.status_code == 422 and reply.json()["error"] == "unmapped"
        assert "事件类别代码 0203 未建立对照" in reply.json()["message"]
        post(client, city, body, "msg_C")  # the sender's retry: still unmapped, counted
        note = Unmapped.objects.get()
        assert (note.kind, note.code, note.direction, note.times) == ("category", "0203", "in", 2)
        assert not Received.objects.exists() and got == []
        mapping.mapping_set(city, "category", "010203", "0203")
        assert not Unmapped.objects.exists()
        assert post(client, city, body, "msg_C").status_code == 200
        assert got == ["010203"]
    finally:
        HANDLERS.pop("test.categorised")
