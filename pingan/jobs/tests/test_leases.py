"""Rounds on many hosts: one worker holds a round at a time, gives it back when
done, and a killed worker's round (and the text message it was sending) is taken
over once the lease lapses."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.jobs import rounds
from pingan.jobs.models import Lease
from pingan.jobs.services import lease_give, lease_take
from pingan.notices.models import OutboundMessage
from pingan.notices.services import drain_outbox


def test_one_holder_at_a_time_and_the_round_is_given_back(db):
    now = timezone.now()
    assert lease_take("sweep", "host-a:1", now)
    assert not lease_take("sweep", "host-b:2", now)
    assert lease_take("sweep", "host-a:1", now), "the holder may renew its own"
    lease_give("sweep", "host-a:1")
    assert lease_take("sweep", "host-b:2", now)
    assert Lease.objects.get(name="sweep").holder == "host-b:2"


def test_a_dead_holders_lease_lapses_and_another_takes_over(db, settings):
    now = timezone.now()
    assert lease_take("sweep", "host-a:1", now)  # …and host-a is killed: never gives back
    within = now + dt.timedelta(seconds=settings.ROUND_LEASE_SECONDS - 1)
    after = now + dt.timedelta(seconds=settings.ROUND_LEASE_SECONDS + 1)
    assert not lease_take("sweep", "host-b:2", within)
    assert lease_take("sweep", "host-b:2", after)


def test_a_round_held_elsewhere_is_not_run_here(db):
    ran: list[str] = []

    def work(now):
        ran.append("ran")
        return "did it"

    now = timezone.now()
    lease_take("test.round", "host-a:1", now)
    assert rounds.run("test.round", "host-b:2", work, now) == "" and ran == []
    assert rounds.run("test.round", "host-a:1", work, now) == "did it" and ran == ["ran"]
    assert Lease.objects.get(name="test.round").holder == "", "given back after the round"


def test_a_round_that_fails_still_gives_its_lease_back(db):
    def broken(now):
        raise RuntimeError("boom")

    now = timezone.now()
    with pytest.raises(RuntimeError):
        rounds.run("test.broken", "host-a:1", broken, now)
    assert lease_take("test.broken", "host-b:2", now)


def test_a_text_left_sending_by_a_killed_worker_is_sent_later(db, settings, tmp_path):
    settings.SMS_FILE = str(tmp_path / "sms.log")
    now = timezone.now()
    OutboundMessage.objects.create(
        phone="13300000001", text="甲", status="sending", attempts=1, claimed_at=now
    )
    assert drain_outbox(now=now) == 0, "still within the lease: its worker may be sending"
    later = now + dt.timedelta(seconds=settings.ROUND_LEASE_SECONDS + 1)
    assert drain_outbox(now=later) == 1
    message = OutboundMessage.objects.get()
    assert (message.status, message.attempts) == ("sent", 2)
    assert "13300000001: 甲" in (tmp_path / "sms.log").read_text()


def test_a_text_that_keeps_dying_is_given_up(db, settings):
    from pingan.notices.services import MAX_ATTEMPTS

    now = timezone.now() - dt.timedelta(seconds=settings.ROUND_LEASE_SECONDS + 1)
    OutboundMessage.objects.create(
        phone="13300000002", text="乙", status="sending", attempts=MAX_ATTEMPTS, claimed_at=now
    )
    assert drain_outbox() == 0
    assert OutboundMessage.objects.get().status == "failed"
