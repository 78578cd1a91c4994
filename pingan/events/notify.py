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
from pingan.accounts.selectors import able, department_staff
from pingan.events.models import Event, Level, Notice, OutboundMessage
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.divisions import ancestor_path

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


CENTRE_LEVELS = (Level.VILLAGE, Level.TOWNSHIP, Level.DISTRICT)
REGION_LEVEL = {
    Level.VILLAGE: RegionLevel.VILLAGE,
    Level.TOWNSHIP: RegionLevel.TOWNSHIP,
    Level.DISTRICT: RegionLevel.DISTRICT,
}


def centre_path(event: Event, level: Level) -> str:
    return ancestor_path(event.region_path, REGION_LEVEL[level])


def holding_level(event: Event, staffed: set[tuple[str, str]]) -> Level:
    """The centre that holds the event: the one at its level, or the next one up
    when that centre has nobody who can sign in (a village without an account
    falls to its township, then to the district, which always answers)."""
    start = CENTRE_LEVELS.index(Level(event.level))
    for level in CENTRE_LEVELS[start:-1]:
        if (CENTRE_ROLE_FOR_LEVEL[level], centre_path(event, level)) in staffed:
            return level
    return Level.DISTRICT


def centre_staff() -> list[User]:
    """Everyone who can act for a centre, with their node."""
    staff = User.objects.filter(role__in=CENTRE_ROLE_FOR_LEVEL.values(), region__isnull=False)
    return list(able(staff).select_related("region").defer("region__boundary"))


def staffed(staff: list[User]) -> set[tuple[str, str]]:
    return {(u.role, u.region.path) for u in staff}  # type: ignore[union-attr]


def centre_users(event: Event) -> list[User]:
    """Staff of the centre that holds the event now."""
    return centre_users_many([event])[0]


def centre_users_many(events: list[Event]) -> list[list[User]]:
    staff = centre_staff()
    held = staffed(staff)
    found = []
    for event in events:
        level = holding_level(event, held)
        role, path = CENTRE_ROLE_FOR_LEVEL[level], centre_path(event, level)
        found.append([u for u in staff if u.role == role and u.region.path == path])  # type: ignore[union-attr]
    return found


def department_users(departments: Iterable[Department]) -> list[User]:
    return department_staff(d.pk for d in departments)


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


def mark_read(user: User) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def recent(user: User, since: dt.timedelta = dt.timedelta(days=30)) -> list[Notice]:
    return list(
        Notice.objects.filter(user=user, created_at__gte=timezone.now() - since)
        .select_related("event")
        .order_by("-id")[:100]
    )
