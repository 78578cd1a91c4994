"""Dates and moments from query strings. Python accepts years 1 to 9999, but a day
before or after them (a range end, a time zone shift, a 90-day window) overflows:
what comes in from a client is held to years the platform can count with."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

Day = TypeVar("Day", dt.date, dt.datetime)

FIRST_YEAR, LAST_YEAR = 1900, 2999


class DateOutOfRange(ValueError):
    pass


def parse_day(text: str) -> dt.date:
    """YYYY-MM-DD within the years above; ValueError otherwise."""
    return _held(dt.date.fromisoformat(text))


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 / W3C datetime ("Z" allowed) within the years above."""
    return _held(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def _held(value: Day) -> Day:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise DateOutOfRange(f"{value.year}")
    return value
