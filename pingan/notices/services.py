"""Sending: notices into staff inboxes, text messages into the outbox, and the
worker's draining of the outbox through a pluggable sender."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from pingan.accounts.models import User
from pingan.notices.models import Notice, OutboundMessage

log = logging.getLogger(__name__)

Message = tuple[Iterable[User], str, str]  # to whom, what, the page it is about


def notify(users: Iterable[User], text: str, link: str = "") -> None:
    notify_many([(users, text, link)])


def notify_many(messages: Iterable[Message]) -> None:
    """Many notices in one insert (the sweep tells hundreds at a time)."""
    Notice.objects.bulk_create(
        Notice(user=user, text=text[:300], link=link)
        for users, text, link in messages
        for user in users
    )


def text_phone(phone: str, text: str, about: str = "") -> None:
    if phone:
        OutboundMessage.objects.create(phone=phone, text=text[:500], about=about[:64])


def mark_read(user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def recent(user: User, since: dt.timedelta = dt.timedelta(days=30)) -> list[Notice]:
    found = Notice.objects.filter(user=user, created_at__gte=timezone.now() - since)
    return list(found.order_by("-id")[:100])


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSender:
    """Writes messages to the log, and to PINGAN_SMS_FILE when set. The default:
    real SMS gateways differ per province; plug one in with PINGAN_SMS_SENDER."""

    def send(self, phone: str, text: str) -> None:
        line = f"{timezone.now().isoformat()} SMS to {phone}: {text}"
        log.info(line)
        if settings.SMS_FILE:
            with open(settings.SMS_FILE, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")


def sender() -> Sender:
    made: Sender = import_string(settings.SMS_SENDER)()
    return made


MAX_ATTEMPTS = 5


def drain_outbox(limit: int = 100, now: dt.datetime | None = None) -> int:
    """Send pending messages. Each is claimed with a conditional update, so two
    workers never send the same message twice."""
    now = now or timezone.now()
    sent = 0
    the_sender = sender()
    _recover(now)
    pending = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING)
    for message in pending.order_by("id")[:limit]:
        claimed = OutboundMessage.objects.filter(
            pk=message.pk, status=OutboundMessage.Status.PENDING
        ).update(  # the time of this claim, not the round's: a round may be long
            status=OutboundMessage.Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=timezone.now(),
        )
        if not claimed:
            continue
        try:
            the_sender.send(message.phone, message.text)
        except Exception:
            log.exception("sending message %s failed", message.pk)
            retry = message.attempts + 1 < MAX_ATTEMPTS
            status = OutboundMessage.Status.PENDING if retry else OutboundMessage.Status.FAILED
            OutboundMessage.objects.filter(pk=message.pk).update(status=status)
            continue
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundMessage.Status.SENT, sent_at=timezone.now()
        )
        sent += 1
    return sent


def _recover(now: dt.datetime) -> None:
    """A message left "sending" longer than a round's lease was claimed by a worker
    that died before the gateway answered: try it again (it may have gone out; a
    duplicate text beats a lost one), or give up after MAX_ATTEMPTS."""
    stale = OutboundMessage.objects.filter(
        status=OutboundMessage.Status.SENDING,
        claimed_at__lt=now - dt.timedelta(seconds=settings.ROUND_LEASE_SECONDS),
    )
    stale.filter(attempts__lt=MAX_ATTEMPTS).update(status=OutboundMessage.Status.PENDING)
    stale.update(status=OutboundMessage.Status.FAILED)
