"""Who hears about an event: the centre holding it, its departments, its reporter.
The notices themselves (the inbox, the text messages, their sending) are the
notices app's; a notice about an event links to the event's page."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.urls import reverse

from pingan.accounts.models import Department, Role, User
from pingan.accounts.selectors import able, department_staff
from pingan.events.models import Event, Level
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.divisions import ancestor_path
from pingan.notices import services as notices

log = logging.getLogger(__name__)

CENTRE_ROLE_FOR_LEVEL = {
    Level.VILLAGE: Role.VILLAGE_CENTRE,
    Level.TOWNSHIP: Role.TOWNSHIP_CENTRE,
    Level.DISTRICT: Role.DISTRICT_CENTRE,
}


def notify(users: Iterable[User], event: Event, text: str) -> None:
    notify_many([(users, event, text)])


def notify_many(messages: Iterable[tuple[Iterable[User], Event, str]]) -> None:
    notices.notify_many((users, text, event_link(event)) for users, event, text in messages)


def event_link(event: Event) -> str:
    """The page a notice about the event opens: the staff's event page."""
    return reverse("events:detail", args=[event.pk])


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
    city = (
        [u for u in able(User.objects.filter(role=Role.CITY_CENTRE))]
        if any(event.level == Level.CITY for event in events)
        else []
    )
    for event in events:
        if event.level == Level.CITY:
            found.append(city)
            continue
        level = holding_level(event, held)
        role, path = CENTRE_ROLE_FOR_LEVEL[level], centre_path(event, level)
        found.append([u for u in staff if u.role == role and u.region.path == path])  # type: ignore[union-attr]
    return found


def department_users(departments: Iterable[Department]) -> list[User]:
    return department_staff(d.pk for d in departments)


def tell_reporter(event: Event, text: str) -> None:
    if event.reporter_id:
        notify([event.reporter], event, text)  # type: ignore[list-item]
    notices.text_phone(event.reporter_phone, f"【平安】{text} 回执码{event.receipt}", event.receipt)


# PINGAN_SMS_SENDER as configurations before the notices app name it.
ConsoleSender = notices.ConsoleSender
