"""The overview every level sees of its own subtree: events by state, category,
source and township for a period, what is overdue and supervised, the 9+X totals,
fieldwork totals and the trend of the last 30 days."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from pingan.accounts.models import User
from pingan.events.lifecycle import OPEN
from pingan.events.models import Channel, State
from pingan.events.selectors import events_for_user
from pingan.fieldwork import stats as fieldwork_stats
from pingan.regions.models import Region
from pingan.registry.codes import PersonStatus
from pingan.registry.selectors import people_for_user, records_for_user

TOWNSHIP_PREFIX = len("630203/630203102/")  # district and township codes are fixed-length
TREND_DAYS = 30


def overview(user: User, *, period: str = "month") -> dict:
    first, last = fieldwork_stats.period_bounds(period)
    start = _aware(first)
    end = _aware(last + dt.timedelta(days=1))
    events = events_for_user(user)
    reported = events.filter(created_at__gte=start, created_at__lt=end)
    open_events = events.filter(state__in=OPEN)
    rows = fieldwork_stats.fieldwork_stats(user, start=first, end=last, by="township")
    return {
        "period": period,
        "start": first,
        "end": last,
        "reported": reported.count(),
        "open": open_events.count(),
        "overdue": open_events.filter(overdue=True).count(),
        "supervised": open_events.filter(supervised=True).count(),
        "closed": events.filter(closed_at__gte=start, closed_at__lt=end).count(),
        "by_state": _labelled(reported, "state", dict(State.choices)),
        "by_category": _labelled(reported, "category__parent__name"),
        "by_channel": _labelled(reported, "channel", dict(Channel.choices)),
        "by_township": _by_township(reported),
        "trend": _trend(events),
        "registry": _registry(user),
        "fieldwork": fieldwork_stats.totals(rows),
    }


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _labelled(queryset, field: str, labels: dict | None = None) -> list[dict]:
    grouped = queryset.values(field).annotate(n=Count("id")).order_by("-n")
    return [
        {"name": str((labels or {}).get(row[field], row[field])), "value": row["n"]}
        for row in grouped
    ]


def _by_township(queryset) -> list[dict]:
    grouped = (
        queryset.annotate(township=Substr("region_path", 1, TOWNSHIP_PREFIX))
        .values("township")
        .annotate(n=Count("id"))
    )
    counts = {row["township"]: row["n"] for row in grouped}
    names = dict(Region.objects.filter(path__in=list(counts)).values_list("path", "name"))
    return sorted(
        ({"name": names.get(path, path), "value": n} for path, n in counts.items()),
        key=lambda row: -row["value"],
    )


def _trend(events) -> list[dict]:
    since = _aware(timezone.localdate() - dt.timedelta(days=TREND_DAYS - 1))
    daily = (
        events.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id"))
    )
    counts = {row["day"]: row["n"] for row in daily}
    days = [timezone.localdate() - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return [{"day": day.isoformat(), "value": counts.get(day, 0)} for day in days]


def _registry(user: User) -> list[dict]:
    """People, and the open records of each category the user may see."""
    people = people_for_user(user).filter(status=PersonStatus.ACTIVE).count()
    records = _labelled(records_for_user(user).filter(ended_on__isnull=True), "definition__name")
    return [{"name": "实有人口", "value": people}, *records]
