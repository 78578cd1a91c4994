"""The running counts behind the overview, kept in the transaction of each change:
- DailyCount (reported day, township, current state): +1 at intake, −1/+1 on a
  change of state;
- DailyIntake (reported day, township, 大类, channel): +1 at intake;
- DailyClosed (closing day, township): +1 when an event is closed.
An upsert adds to the row, so concurrent requests never lose a count. `recount`
rebuilds them from the events, and with check=True only says where they differ;
the days before a month archived to files (history/services.py) are left as they
are, since their events are no longer here to count."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Max, Model, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from pingan.audit.models import Archive
from pingan.events.models import DailyClosed, DailyCount, DailyIntake, Event, State
from pingan.lib.divisions import PATH_LENGTH, Level
from pingan.lib.partitions import next_month
from pingan.lib.periods import day_start

TOWNSHIP_PREFIX = PATH_LENGTH[Level.TOWNSHIP]
TABLES: dict[type[Model], list[str]] = {
    DailyCount: ["day", "township_path", "state"],
    DailyIntake: ["day", "township_path", "category_id", "channel"],
    DailyClosed: ["day", "township_path"],
}


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _where(event: Event) -> tuple[dt.date, str]:
    return _day(event.created_at), event.region_path[:TOWNSHIP_PREFIX]


def reported(events: Iterable[Event]) -> None:
    states: Counter = Counter()
    intake: Counter = Counter()
    for event in events:
        day, township = _where(event)
        states[(day, township, event.state)] += 1
        intake[(day, township, event.category.parent_id, event.channel)] += 1
    add(DailyCount, states)
    add(DailyIntake, intake)


def moved(event: Event, from_state: str) -> None:
    if from_state == event.state:
        return
    day, township = _where(event)
    add(DailyCount, Counter({(day, township, from_state): -1, (day, township, event.state): 1}))
    if event.state == State.CLOSED and event.closed_at is not None:
        add(DailyClosed, Counter({(_day(event.closed_at), township): 1}))


def add(model: type[Model], deltas: Counter) -> None:
    rows = [(*key, delta) for key, delta in deltas.items() if delta]
    if not rows:
        return
    table, keys = model._meta.db_table, TABLES[model]
    columns, marks = ", ".join(keys), ", ".join(["%s"] * (len(keys) + 1))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}, count) VALUES ({marks}) "
            f"ON CONFLICT ({columns}) DO UPDATE SET count = {table}.count + excluded.count",
            rows,
        )


def frozen_before() -> dt.date | None:
    """The first day whose counts can still be recounted: every earlier one may
    have lost events to the archive."""
    last = Archive.objects.filter(table=Event._meta.db_table).aggregate(m=Max("month"))["m"]
    return next_month(last) if last else None


def counted_from_events(since: dt.date | None = None) -> dict[type[Model], Counter]:
    """What the three tables should hold for the days from `since`, counted from
    the events."""
    local = timezone.get_current_timezone()
    start = day_start(since) if since else None
    events, closed = Event.objects.all(), Event.objects.filter(closed_at__isnull=False)
    if start:
        events, closed = events.filter(created_at__gte=start), closed.filter(closed_at__gte=start)
    events = events.annotate(
        day=TruncDate("created_at", tzinfo=local),
        township=Substr("region_path", 1, TOWNSHIP_PREFIX),
        top=F("category__parent_id"),
    )
    closed = closed.annotate(
        day=TruncDate("closed_at", tzinfo=local),
        township=Substr("region_path", 1, TOWNSHIP_PREFIX),
    )
    groups = {
        DailyCount: events.values_list("day", "township", "state"),
        DailyIntake: events.values_list("day", "township", "top", "channel"),
        DailyClosed: closed.values_list("day", "township"),
    }
    return {
        model: Counter(
            {tuple(row[:-1]): row[-1] for row in rows.annotate(n=Count("id")).order_by()}
        )
        for model, rows in groups.items()
    }


def kept(model: type[Model], since: dt.date | None = None) -> Counter:
    rows = _days(model, since).exclude(count=0).values_list(*TABLES[model], "count")
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def recount(*, check: bool = False) -> list[tuple[str, tuple, int, int]]:
    """Where the kept counts differ from the events: (table, key, kept, counted).
    Unless check=True, the kept counts are then replaced by the recount."""
    since = frozen_before()
    with transaction.atomic():
        counted = counted_from_events(since)
        differences = []
        for model, should in counted.items():
            have = kept(model, since)
            for key in sorted(set(should) | set(have), key=str):
                if have.get(key, 0) != should.get(key, 0):
                    differences.append((model.__name__, key, have.get(key, 0), should.get(key, 0)))
            if not check:
                _days(model, since).delete()
                model.objects.bulk_create(  # type: ignore[attr-defined]
                    model(**dict(zip(TABLES[model], key, strict=True)), count=n)
                    for key, n in should.items()
                )
    return differences


def _days(model: type[Model], since: dt.date | None) -> QuerySet:
    rows = model.objects.all()  # type: ignore[attr-defined]
    return rows.filter(day__gte=since) if since else rows
