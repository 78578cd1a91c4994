"""The running counts behind the overview (events.DailyCount): +1 when an event is
reported, −1/+1 when it changes state, in the same transaction as the change. An
upsert adds to the row, so concurrent requests never lose a count. `recount`
rebuilds them from the events, and with check=True only says where they differ."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from pingan.events.models import DailyCount, Event

TOWNSHIP_PREFIX = len("630203/630203102/")  # district and township codes are fixed-length
Key = tuple[dt.date, str, int, str, str]  # day, township path, category, channel, state


def key_of(event: Event, state: str | None = None) -> Key:
    return (
        timezone.localtime(event.created_at).date(),
        event.region_path[:TOWNSHIP_PREFIX],
        event.category_id,
        event.channel,
        state or event.state,
    )


def reported(events: Iterable[Event]) -> None:
    add(Counter(key_of(event) for event in events))


def moved(event: Event, from_state: str) -> None:
    if from_state != event.state:
        add(Counter({key_of(event, from_state): -1, key_of(event): 1}))


def add(deltas: Counter) -> None:
    rows = [(*key, delta) for key, delta in deltas.items() if delta]
    if not rows:
        return
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (day, township_path, category_id, channel, state, count) "
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (day, township_path, category_id, channel, state) "
            f"DO UPDATE SET count = {table}.count + excluded.count",
            rows,
        )


def counted_from_events() -> Counter:
    rows = (
        Event.objects.annotate(
            day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
            township=Substr("region_path", 1, TOWNSHIP_PREFIX),
        )
        .values_list("day", "township", "category_id", "channel", "state")
        .annotate(n=Count("id"))
    )
    return Counter({tuple(row[:5]): row[5] for row in rows})


def kept() -> Counter:
    rows = DailyCount.objects.exclude(count=0).values_list(
        "day", "township_path", "category_id", "channel", "state", "count"
    )
    return Counter({tuple(row[:5]): row[5] for row in rows})


def recount(*, check: bool = False) -> list[tuple[Key, int, int]]:
    """Where the kept counts differ from the events: (key, kept, counted). Unless
    check=True, the kept counts are then replaced by the recount."""
    with transaction.atomic():
        counted, have = counted_from_events(), kept()
        differences = [
            (key, have.get(key, 0), counted.get(key, 0))
            for key in sorted(set(counted) | set(have), key=str)
            if have.get(key, 0) != counted.get(key, 0)
        ]
        if not check:
            DailyCount.objects.all().delete()
            DailyCount.objects.bulk_create(
                DailyCount(
                    day=day,
                    township_path=township,
                    category_id=category,
                    channel=channel,
                    state=state,
                    count=n,
                )
                for (day, township, category, channel, state), n in counted.items()
            )
    return differences
