"""The district's holiday arrangement for lib/workdays, read once a minute per
process (and at once after a change in this process), so counting a time limit
does not query the database for every day it steps over."""

from __future__ import annotations

import datetime as dt
import threading
import time

from pingan.events.models import WorkCalendarDay

FRESH_FOR = 60.0  # seconds; another process sees an edit within a minute

_lock = threading.Lock()
_days: dict[dt.date, bool] | None = None
_read_at = 0.0


def arranged() -> dict[dt.date, bool]:
    global _days, _read_at
    with _lock:
        if _days is None or time.monotonic() - _read_at > FRESH_FOR:
            _days = dict(WorkCalendarDay.objects.values_list("day", "workday"))
            _read_at = time.monotonic()
        return _days


def forget(**_) -> None:
    """After a save or delete: read again on the next count."""
    global _days
    with _lock:
        _days = None
