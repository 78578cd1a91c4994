"""Delivery to a peer over real HTTP on 127.0.0.1: signed as the reference
library expects, retried with growing waits, Retry-After honoured, 410 disabling
the link, a dead letter replayed, a subject kept in order, catch-up at once."""

import datetime as dt

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from pingan.links import outbox
from pingan.links.models import Link, Message
from pingan.links.tests.peer import Peer

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(60)]


@pytest.fixture(autouse=True)
def own_code(settings):
    settings.LINKS_REGION_CODE = "630203"


@pytest.fixture
def peer(city):
    with Peer() as running:
        city.base_url = running.url
        city.save()
        yield running


def send(city, n, subject="event:1", ordered=True):
    return outbox.message_send(city, "test.note", {"n": n}, subject=subject, ordered=ordered)


def run(now):
    """One worker's pass at a moment: what it claimed, each delivered once."""
    return [outbox.deliver(m, now) for m in outbox.claim(now)]


def test_a_message_reaches_the_peer_signed_and_exactly_as_stored(city, peer):
    message = send(city, 1)
    assert message.seq == 1 and send(city, 2).seq == 2
    assert outbox.deliver_round(timezone.now()) == "互联互通：送达 2 条"
    got = peer.got[0]
    assert got.path == "/links/inbox/630203/" and got.body == message.body.encode()
    assert Webhook(city.keys[0]).verify(got.body, got.headers)["data"] == {"n": 1}
    message.refresh_from_db()
    assert message.state == "delivered" and message.attempts == 1
    assert Link.objects.get().last_success_at is not None


def test_a_failure_waits_longer_each_time_then_is_a_dead_letter(city, peer):
    message = send(city, 1)
    now = timezone.now()
    waits = []
    for _ in outbox.RETRY:
        peer.script.append((500, {}))
        assert run(now) == [False]
        message.refresh_from_db()
        waits.append(message.next_at - now)
        assert run(now) == []  # not due again yet
        now = message.next_at
    assert all(0.9 * r <= w <= 1.1 * r for w, r in zip(waits, outbox.RETRY, strict=True))
    peer.script.append((500, {}))
    run(now)
    message.refresh_from_db()
    assert message.state == "dead" and message.attempts == len(outbox.RETRY) + 1
    assert "HTTP 500" in message.last_error
    assert outbox.replay(city) == 1
    assert run(timezone.now()) == [True]
    assert len(peer.got) == len(outbox.RETRY) + 2
    assert {g.headers["webhook-id"] for g in peer.got} == {message.webhook_id}  # one id


def test_retry_after_is_honoured(city, peer):
    message = send(city, 1)
    now = timezone.now()
    peer.script.append((503, {"Retry-After": "120"}))
    run(now)
    message.refresh_from_db()
    assert message.next_at == now + dt.timedelta(seconds=120)


def test_gone_disables_the_link(city, peer):
    send(city, 1)
    peer.script.append((410, {}))
    run(timezone.now())
    city.refresh_from_db()
    assert not city.enabled and "410" in city.disabled_reason
    assert outbox.claim(timezone.now() + dt.timedelta(days=1)) == []
    assert Message.objects.get().state == "waiting"  # kept, for when it is enabled again


def test_a_redirect_is_not_followed(city, peer):
    send(city, 1)
    peer.script.append((302, {"Location": "http://127.0.0.1:9/elsewhere"}))
    assert run(timezone.now()) == [False]
    assert len(peer.got) == 1 and "HTTP 302" in Message.objects.get().last_error


def test_an_unreachable_peer_is_a_failure_said_in_chinese(city):
    send(city, 1)  # the link's address is port 9 of 127.0.0.1: nothing listens
    assert run(timezone.now()) == [False]
    assert Message.objects.get().last_error.startswith("无法连接")


def test_a_subjects_next_waits_for_the_one_before(city, peer):
    first, second = send(city, 1), send(city, 2)
    other = send(city, 9, subject="event:2")
    peer.script.append((500, {}))
    now = timezone.now()
    assert run(now) == [False, True]  # event:1's first failed; event:2's went
    assert [g.body for g in peer.got] == [first.body.encode(), other.body.encode()]
    later = now + dt.timedelta(seconds=6)
    assert run(later) == [True]
    assert run(later) == [True]
    assert peer.got[-1].body == second.body.encode()


def test_when_the_link_answers_again_everything_waiting_is_due_at_once(city, peer):
    for n in range(3):
        send(city, n, subject=f"event:{n}")
    now = timezone.now()
    peer.script += [(500, {})] * 3
    run(now)
    assert Message.objects.filter(next_at__gt=now).count() == 3
    city.refresh_from_db()
    # an hour later one retry goes through: the other two are due now, not in hours
    Message.objects.update(next_at=now + dt.timedelta(hours=2))
    Message.objects.filter(pk=Message.objects.first().pk).update(next_at=now)
    assert run(now) == [True]
    assert run(now) == [True, True]


def test_two_workers_never_take_the_same_message(city, peer):
    for n in range(5):
        send(city, n, subject=f"event:{n}")
    now = timezone.now()
    first, second = outbox.claim(now, limit=3), outbox.claim(now, limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    # a worker that died holding its claim: others take its messages after CLAIM
    assert outbox.claim(now) == []
    assert len(outbox.claim(now + outbox.CLAIM + dt.timedelta(seconds=1))) == 5


def test_unordered_messages_go_as_they_come(city, peer):
    for n in range(3):
        send(city, n, subject="figures", ordered=False)
    assert {m.seq for m in Message.objects.all()} == {0}
    assert run(timezone.now()) == [True, True, True]
