"""Days as the district counts them: local days (Asia/Shanghai), not UTC."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.lib.errors import DomainError


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class PeriodError(DomainError):
    """A period the statistics do not know."""


# The periods every statistics page offers, ending today.
PERIODS = {
    "today": _("今天"),
    "week": _("本周"),
    "month": _("本月"),
    "last30": _("近30天"),
    "year": _("今年"),
}


def period_bounds(period: str, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of the named period, both included."""
    today = today or timezone.localdate()
    starts = {
        "today": today,
        "week": today - dt.timedelta(days=today.weekday()),
        "month": today.replace(day=1),
        "last30": today - dt.timedelta(days=29),
        "year": today.replace(month=1, day=1),
    }
    if period not in starts:
        raise PeriodError(f"未知的统计周期：{period}")
    return starts[period], today
