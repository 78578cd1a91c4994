"""Who hears about an event, and how: the in-app inbox for staff, and text
messages to phones through a pluggable sender, queued in the database."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from pingan.accounts.models import Department, Role, User
from pingan.events.models import Event, Level, Notice, OutboundMessage

log = logging.getLogger(__name__)

CENTRE_ROLE_FOR_LEVEL = {
    Level.VILLAGE: Role.VILLAGE_CENTRE,
    Level.TOWNSHIP: Role.TOWNSHIP_CENTRE,
    Level.DISTRICT: Role.DISTRICT_CENTRE,
}


def notify(users: Iterable[User], event: Event | None, text: str) -> None:
    notify_many([(users, event, text)])


def notify_many(messages: Iterable[tuple[Iterable[User], Event | None, str]]) -> None:
    Notice.objects.bulk_create(
        Notice(user=user, event=event, text=text[:300])
        for users, event, text in messages
        for user in users
    )


def text_phone(phone: str, text: str, event: Event | None = None) -> None:
    if phone:
        OutboundMessage.objects.create(phone=phone, text=text[:500], event=event)


def centre_users(event: Event) -> list[User]:
    """Staff of the centre that holds the event now."""
    return centre_users_many([event])[0]


def centre_users_many(events: list[Event]) -> list[list[User]]:
    roles = {CENTRE_ROLE_FOR_LEVEL[Level(e.level)] for e in events}
    staff = list(
        User.objects.filter(role__in=roles, is_active=True, region__isnull=False)
        .select_related("region")
        .defer("region__boundary")
    )
    return [
        [
            u
            for u in staff
            if u.role == CENTRE_ROLE_FOR_LEVEL[Level(e.level)]
            and e.region_path.startswith(u.region.path)  # type: ignore[union-attr]
        ]
        for e in events
    ]


def department_users(departments: Iterable[Department]) -> list[User]:
    ids = [d.pk for d in departments]
    return list(User.objects.filter(role=Role.DEPARTMENT, department_id__in=ids, is_active=True))


def verifier_users(event: Event) -> list[User]:
    workers = list(
        User.objects.filter(
            region_id=event.grid_id, is_active=True, role__in=[Role.GRID_WORKER, Role.GRID_LEADER]
        )
    )
    if event.grid.leader_id and all(u.pk != event.grid.leader_id for u in workers):
        workers.append(event.grid.leader)  # type: ignore[arg-type]
    return workers


def tell_reporter(event: Event, text: str) -> None:
    if event.reporter_id:
        notify([event.reporter], event, text)  # type: ignore[list-item]
    text_phone(event.reporter_phone, f"【平安】{text} 回执码{event.receipt}", event)


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
    return import_string(settings.SMS_SENDER)()


MAX_ATTEMPTS = 5


def drain_outbox(limit: int = 100) -> int:
    """Send pending messages. Each is claimed with a conditional update, so two
    workers never send the same message twice."""
    sent = 0
    the_sender = sender()
    pending = OutboundMessage.objects.filter(status=OutboundMessage.Status.PENDING)
    for message in pending.order_by("id")[:limit]:
        claimed = OutboundMessage.objects.filter(
            pk=message.pk, status=OutboundMessage.Status.PENDING
        ).update(status=OutboundMessage.Status.SENDING, attempts=F("attempts") + 1)
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


def recent(user: User, since: dt.timedelta = dt.timedelta(days=30)) -> list[Notice]:
    return list(
        Notice.objects.filter(user=user, created_at__gte=timezone.now() - since)
        .select_related("event")
        .order_by("-id")[:100]
    )
