"""The time-limit sweep run by `pingan worker`: yellow warnings, red overdue marks,
notices to whoever must act next (and the centre holding the event), automatic
escalation where the category asks for it, and verification handed up a tier
when its time limit runs out (events/duty.py). Each event is claimed with a
conditional update, so two workers never act on it twice."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction

from pingan.audit.services import journal_write
from pingan.events import duty, notify, services
from pingan.events.lifecycle import FINAL, TABLE
from pingan.events.models import Event, Level, State

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0
    referred: int = 0


def sweep(now: dt.datetime, limit: int = 500) -> SweepResult:
    result = SweepResult()
    # A copy held on another platform runs on that platform's clock, not this sweep.
    open_events = Event.objects.exclude(state__in=FINAL).filter(deadline__isnull=False, held_by="")
    for event in open_events.filter(warned=False, warn_at__lte=now, deadline__gt=now)[:limit]:
        if Event.objects.filter(pk=event.pk, warned=False).update(warned=True):
            _tell_holders(event, f"事件 {event.receipt} 即将超期（{event.deadline:%m-%d %H:%M}）")
            result.warned += 1
    for event in open_events.filter(overdue=False, deadline__lte=now).select_related("category")[
        :limit
    ]:
        if not Event.objects.filter(pk=event.pk, overdue=False).update(overdue=True, warned=True):
            continue
        result.overdue += 1
        with transaction.atomic():
            journal_write(
                actor=None,
                action="event.overdue",
                object_type="event",
                object_id=event.pk,
                region_path=event.region_path,
                data={"state": event.state, "deadline": str(event.deadline)},
            )
            _tell_holders(event, f"事件 {event.receipt} 已超期")
        if _escalate(event):
            result.escalated += 1
        elif _refer_verify(event):
            result.referred += 1
    return result


def _tell_holders(event: Event, text: str) -> None:
    users = {u.pk: u for u in duty.duty_users(event) + notify.centre_users(event)}
    notify.notify(users.values(), event, text)


def _refer_verify(event: Event) -> bool:
    if event.state != State.HANDLED or event.verify_tier >= duty.Tier.TOWNSHIP:
        return False
    return _system_step(event, "refer_verify", "超过核查时限，转上一级核查")


def _escalate(event: Event) -> bool:
    if not event.category.auto_escalate or event.level == Level.DISTRICT:
        return False
    if event.state not in TABLE["escalate"].sources:
        return False
    return _system_step(event, "escalate", "超过时限，自动上报上级")


def _system_step(event: Event, action: str, reason: str) -> bool:
    fresh = Event.objects.select_related("category", "grid").get(pk=event.pk)
    try:
        services.event_transition(event=fresh, action=action, actor=None, reason=reason)
    except services.Conflict:
        return False  # someone acted on it meanwhile; the next sweep looks again
    return True
