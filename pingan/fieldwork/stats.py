"""Work statistics like the seed's (events reported, visits, inspections,
comprehensive work, video checks, patrols) per worker, grid, village or township
over any period. Counted from the raw rows of the user's scope, so every row sums
to the total shown beneath it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from pingan.accounts.models import User
from pingan.events.models import WORKER_CHANNELS
from pingan.events.selectors import events_for_user
from pingan.fieldwork.models import Kind
from pingan.fieldwork.selectors import work_for_user
from pingan.fieldwork.services import FieldError
from pingan.lib.divisions import Level, ancestor_path
from pingan.lib.periods import day_start
from pingan.regions.models import Region

GROUPINGS = {"worker": "网格员", "grid": "网格", "village": "村/社区", "township": "乡镇/街道"}
MEASURES = ["events", *Kind.values]
# 上报事件: what grid workers found and reported themselves (events.WORKER_CHANNELS);
# residents' QR reports in their grids are counted on the overview, by source.
MEASURE_LABELS = {"events": "上报事件", **{k.value: str(k.label) for k in Kind}}


@dataclass
class Row:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))


def fieldwork_stats(user: User, *, start: dt.date, end: dt.date, by: str) -> list[Row]:
    if by not in GROUPINGS:
        raise FieldError(f"未知的统计方式：{by}")
    if end < start:
        raise FieldError("结束日期不能早于开始日期")
    since, until = day_start(start), day_start(end + dt.timedelta(days=1))
    work = work_for_user(user).filter(at__gte=since, at__lt=until)
    events = events_for_user(user).filter(
        created_at__gte=since, created_at__lt=until, channel__in=WORKER_CHANNELS
    )
    rows: dict[str, Row] = {}
    if by == "worker":
        for key, kind, count in work.values_list("by__username", "kind").annotate(n=Count("id")):
            _row(rows, key).counts[kind] += count
        reported = events.filter(reporter__isnull=False).values_list("reporter__username")
        for key, count in reported.annotate(n=Count("id")):
            _row(rows, key).counts["events"] += count
        _label_workers(rows)
    else:
        level = Level(by)
        for path, kind, count in work.values_list("region_path", "kind").annotate(n=Count("id")):
            _row(rows, ancestor_path(path, level)).counts[kind] += count
        for path, count in events.values_list("region_path").annotate(n=Count("id")):
            _row(rows, ancestor_path(path, level)).counts["events"] += count
        _label_areas(rows)
    return sorted(rows.values(), key=lambda row: row.key)


def totals(rows: list[Row]) -> dict[str, int]:
    return {measure: sum(row.counts[measure] for row in rows) for measure in MEASURES}


def _row(rows: dict[str, Row], key: str) -> Row:
    if key not in rows:
        rows[key] = Row(key, key)
    return rows[key]


def _label_workers(rows: dict[str, Row]) -> None:
    users = User.objects.filter(username__in=list(rows)).select_related("region")
    for user in users:
        where = f" · {user.region.name}" if user.region else ""
        rows[user.username].label = f"{user.label}{where}"


def _label_areas(rows: dict[str, Row]) -> None:
    names = dict(Region.objects.filter(path__in=list(rows)).values_list("path", "name"))
    for key, row in rows.items():
        row.label = names.get(key, key)


def key_figures(user: User) -> dict[str, int]:
    """What a leader glances at: events open, overdue and reported today, and the
    people and households of the area."""
    from pingan.events.lifecycle import OPEN
    from pingan.registry.codes import PersonStatus
    from pingan.registry.selectors import households_for_user, people_for_user

    events = events_for_user(user)
    open_events = events.filter(state__in=OPEN)
    return {
        "events_open": open_events.count(),
        "events_overdue": open_events.filter(overdue=True).count(),
        "events_today": events.filter(created_at__gte=day_start(timezone.localdate())).count(),
        "people": people_for_user(user).filter(status=PersonStatus.ACTIVE).count(),
        "households": households_for_user(user).count(),
    }
