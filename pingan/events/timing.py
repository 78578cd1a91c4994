"""Deadlines for each step, counted in Chinese working time (lib/workdays)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pingan.events.lifecycle import Clock
from pingan.events.models import Category, Event
from pingan.lib import workdays

# The yellow mark comes when this share of the step's time is used up.
WARN_SHARE = 0.75


def add_days(start: dt.datetime, days: int) -> dt.datetime:
    """Working days counted on the clock of the district (Asia/Shanghai), not UTC."""
    return workdays.add_working_days(timezone.localtime(start), days)


def add_hours(start: dt.datetime, hours: float) -> dt.datetime:
    return workdays.add_working_hours(timezone.localtime(start), hours)


def step_deadline(category: Category, clock: Clock, start: dt.datetime) -> dt.datetime | None:
    if clock == Clock.ACCEPT:
        return add_hours(start, category.accept_hours)
    if clock == Clock.DISPATCH:
        return add_hours(start, category.dispatch_hours)
    if clock == Clock.HANDLE:
        return add_days(start, category.handle_days)
    if clock == Clock.VERIFY:
        return add_hours(start, category.verify_hours)
    return None


def start_clock(event: Event, clock: Clock, now: dt.datetime) -> dict:
    """The field changes that start (or stop, or keep) the step clock."""
    if clock == Clock.KEEP:
        return {}
    return clock_until(step_deadline(event.category, clock, now), now)


def clock_until(deadline: dt.datetime | None, now: dt.datetime) -> dict:
    """The field changes of a step clock started now and running to `deadline`."""
    warn_at = now + (deadline - now) * WARN_SHARE if deadline else None
    return {
        "step_started_at": now,
        "deadline": deadline,
        "warn_at": warn_at,
        "warned": False,
        "overdue": False,
    }


def mark(event: Event, now: dt.datetime) -> str:
    """'overdue' (red), 'warning' (yellow) or '' for an event at `now`."""
    if event.deadline is None:
        return ""
    if now >= event.deadline:
        return "overdue"
    if event.warn_at and now >= event.warn_at:
        return "warning"
    return ""
