"""The overview every level sees of its own subtree: events by state, category,
source and township for a period, what is overdue and supervised, the 9+X totals,
fieldwork totals, the public services (阳光政务, appointments) and the trend of the
last 30 days."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import Role, User
from pingan.convenience.models import Appointment
from pingan.counter.models import Application, ApplicationState
from pingan.counter.selectors import catalogue_counts
from pingan.events.counts import TOWNSHIP_PREFIX
from pingan.events.lifecycle import OPEN
from pingan.events.models import (
    WORKER_CHANNELS,
    Channel,
    DailyClosed,
    DailyCount,
    DailyIntake,
    State,
)
from pingan.events.selectors import events_for_user
from pingan.fieldwork.models import Kind
from pingan.fieldwork.selectors import work_for_user
from pingan.lib.divisions import PATH_DEPTH, PATH_LENGTH, SEGMENT_LENGTH, level_of_path
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.periods import day_start, period_bounds
from pingan.parking import metrics as parking_metrics
from pingan.parking import reports as parking_reports
from pingan.parking import selectors as parking_selectors
from pingan.regions.models import LEVEL_NAMES, Region
from pingan.registry import counts as registry_counts
from pingan.video.selectors import coverage as video_coverage

TREND_DAYS = 30


def overview(user: User, *, period: str = "month", from_counts: bool | None = None) -> dict:
    """from_counts: sum the running counts (events.DailyCount) rather than count the
    events; by default for district and township scopes, where the events are many.
    Both give the same figures (tests/test_overview.py proves it)."""
    first, last = period_bounds(period)
    start = day_start(first)
    end = day_start(last + dt.timedelta(days=1))
    events = events_for_user(user)
    use_counts = _wide(user) if from_counts is None else from_counts
    if use_counts and not _wide(user):
        raise ValueError("the running counts are kept per township: too coarse for this scope")
    reported = _FromCounts(user, first, last) if use_counts else _FromEvents(events, start, end)
    area_level = _area_level(user)
    if area_level in ROLLED_UP:  # from the townships' figures, summed by prefix
        by_area = _rolled_up(reported.by_township(), ROLLED_UP[area_level])
    else:  # a township's own chart shows its villages, a village's its grids
        by_area = _by_area(events.filter(created_at__gte=start, created_at__lt=end), area_level)
    return {
        "period": period,
        "start": first,
        "end": last,
        "reported": reported.total(),
        "open": reported.open(),
        "overdue": _overdue(events),
        "supervised": _supervised(events),
        "closed": reported.closed(),
        "by_state": reported.by("state", dict(State.choices)),
        "by_category": reported.by("category__parent__name"),
        "by_channel": reported.by("channel", dict(Channel.choices)),
        "by_source": _sources(reported.channels()),
        "area_level": area_level,
        "area_name": LEVEL_NAMES[RegionLevel(area_level)],
        "by_area": _named(by_area),
        "trend": _days(reported.trend()),
        "registry": _registry(user),
        "fieldwork": {"events": _own(reported.channels()), **_fieldwork(user, start, end)},
        "services": _services(user, start, end),
        "video": _video(user),
        "parking": _parking(user, start, end),
    }


def _parking(user: User, start: dt.datetime, end: dt.datetime) -> dict[str, object] | None:
    """慧停车 in the period (the CDS figures, metrics.py) and its spaces free now;
    None where the area has no parking places."""
    places = list(parking_selectors.places_for(user))
    if not places:
        return None
    whole = parking_reports.total(
        parking_metrics.figures(parking_metrics.by_place(places), start, end).values()
    )
    return {
        "free": sum(p.free for p in places),
        "capacity": sum(p.capacity for p in places),
        "sessions": whole.sessions,
        "occupancy": whole.occupancy,
        "revenue_yuan": round(whole.revenue_fen / 100),
        "arrears_rate": whole.arrears_rate,
    }


def _video(user: User) -> dict[str, int | None]:
    """乡村两级技防全覆盖 (the seed's aim): villages with a working camera, of all."""
    found = video_coverage(user)
    share = found.share
    return {
        "covered": found.villages_covered,
        "villages": len(found.villages),
        "percent": round(share * 100) if share is not None else None,
    }


def _services(user: User, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """阳光政务 and the convenience services: the district's catalogue (public, so
    the same for everyone) and what residents asked of the user's area."""
    applications = access.scope(user, Application.objects.all()).filter(
        submitted_at__gte=start, submitted_at__lt=end
    )
    booked = access.scope(user, Appointment.objects.all()).filter(
        created_at__gte=start, created_at__lt=end
    )
    return {
        **catalogue_counts(),
        "applications": applications.count(),
        "applications_done": applications.filter(state=ApplicationState.APPROVED).count(),
        "appointments": booked.count(),
    }


def _own(channels: dict[str, int]) -> int:
    """Events grid workers reported themselves: residents' QR reports are not their work."""
    return sum(channels.get(channel, 0) for channel in WORKER_CHANNELS)


def _sources(channels: dict[str, int]) -> dict[str, int]:
    """Reports of the period by who brought them in: the grid workers, residents, other."""
    own, public = _own(channels), channels.get(Channel.PUBLIC, 0)
    return {"grid_workers": own, "public": public, "other": sum(channels.values()) - own - public}


def _fieldwork(user: User, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Work records of each kind in the period (上报事件: the workers' own reports)."""
    done = work_for_user(user).filter(at__gte=start, at__lt=end)
    counted = dict(done.values_list("kind").annotate(n=Count("id")).order_by())
    return {kind: counted.get(kind, 0) for kind in Kind.values}


# Django writes `filter(flag=True)` as a bare `WHERE flag` on SQLite, which its planner
# cannot match to an index; `flag IN (1)` it can. The flags' indexes lead with them.


def _overdue(events) -> int:
    """A closing step stops the clock and clears 超期, so overdue events are open."""
    return events.filter(overdue__in=[True]).count()


def _supervised(events) -> int:
    """Open events under 督办: the states of the few ever supervised, read from the
    flag's covering index rather than the state index a planner may prefer."""
    states = events.filter(supervised__in=[True]).values_list("state", flat=True)
    return sum(1 for state in states if state in OPEN)


def _wide(user: User) -> bool:
    """A district or township scope of the region tree (not a department's list)."""
    paths = access.read_paths(user)
    return (
        user.role != Role.DEPARTMENT
        and bool(paths)
        and all(path.count("/") <= PATH_DEPTH[RegionLevel.TOWNSHIP] for path in paths)
    )


# The scope's level → the level of the areas its chart compares.
AREA_BELOW = {
    RegionLevel.PROVINCE: "city",
    RegionLevel.CITY: "district",
    RegionLevel.DISTRICT: "township",
    RegionLevel.TOWNSHIP: "village",
}
# Areas of a township or wider, and the length of their path (or, above the path,
# their code's prefix: lib/divisions), by which a township's path is summed up.
ROLLED_UP = {
    "city": SEGMENT_LENGTH[RegionLevel.CITY],
    "district": PATH_LENGTH[RegionLevel.DISTRICT],
    "township": TOWNSHIP_PREFIX,
}


def _area_level(user: User) -> str:
    """The level of the areas the user's chart compares: a province's cities, a
    city's districts, a district's townships, a township's villages, a village's
    grids."""
    paths = access.read_paths(user)
    if paths == ("",):  # the whole installation: below its root
        paths = tuple(Region.objects.filter(parent=None).values_list("path", flat=True))
    levels = {level_of_path(path) for path in paths}
    if len(levels) != 1:
        return "township"
    return AREA_BELOW.get(levels.pop(), "grid")


def _rolled_up(by_township: dict[str, int], length: int) -> dict[str, int]:
    areas: dict[str, int] = {}
    for path, n in by_township.items():
        areas[path[:length]] = areas.get(path[:length], 0) + n
    return areas


def _by_area(reported, level: str) -> dict[str, int]:
    if level == "grid":
        return dict(reported.values_list("region_path").annotate(n=Count("id")).order_by())
    grouped = (
        reported.annotate(area=Substr("region_path", 1, PATH_LENGTH[RegionLevel(level)]))
        .values_list("area")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(grouped)


class _FromEvents:
    """The events reported in the period, counted one by one."""

    def __init__(self, events, start: dt.datetime, end: dt.datetime):
        self.events = events
        self.reported = events.filter(created_at__gte=start, created_at__lt=end)
        self.start, self.end = start, end

    def total(self) -> int:
        return self.reported.count()

    def open(self) -> int:
        return self.events.filter(state__in=OPEN).count()

    def closed(self) -> int:
        return self.events.filter(closed_at__gte=self.start, closed_at__lt=self.end).count()

    def by(self, field: str, labels: dict | None = None) -> list[dict]:
        return _labelled(self.reported, field, labels)

    def channels(self) -> dict[str, int]:
        return dict(self.reported.values_list("channel").annotate(n=Count("id")).order_by())

    def by_township(self) -> dict[str, int]:
        grouped = (
            self.reported.annotate(township=Substr("region_path", 1, TOWNSHIP_PREFIX))
            .values("township")
            .annotate(n=Count("id"))
        )
        return {row["township"]: row["n"] for row in grouped}

    def trend(self) -> dict[dt.date, int]:
        since = day_start(timezone.localdate() - dt.timedelta(days=TREND_DAYS - 1))
        daily = (
            self.events.filter(created_at__gte=since)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .values("day")
            .annotate(n=Count("id"))
        )
        return {row["day"]: row["n"] for row in daily}


def _sum(counts) -> int:
    return counts.aggregate(n=Sum("count"))["n"] or 0


class _FromCounts:
    """The same figures summed from the running counts of the user's townships.
    Each table's rows in the period are read once, grouped as finely as any figure
    needs, and every figure is a sum of those groups: a province's month is half a
    million intake rows, and reading them once per figure cost most of the page."""

    def __init__(self, user: User, first: dt.date, last: dt.date):
        area = access.path_q(access.read_paths(user), "township_path")
        self.counts = DailyCount.objects.filter(area)
        self.reported = self.counts.filter(day__gte=first, day__lte=last)
        self.intake = DailyIntake.objects.filter(area, day__gte=first, day__lte=last)
        self.closing = DailyClosed.objects.filter(area, day__gte=first, day__lte=last)

    @cached_property
    def _states(self) -> list[tuple[str, str, int]]:
        """(township, state, count) of the events reported in the period."""
        rows = self.reported.values_list("township_path", "state").annotate(n=Sum("count"))
        return list(rows.order_by())

    @cached_property
    def _intakes(self) -> list[tuple[str, str, int]]:
        """(大类, channel, count): both are kept per intake."""
        rows = self.intake.values_list("category__name", "channel").annotate(n=Sum("count"))
        return list(rows.order_by())

    def total(self) -> int:
        return sum(n for _, _, n in self._states)

    def open(self) -> int:
        return _sum(self.counts.filter(state__in=OPEN))

    def closed(self) -> int:
        return _sum(self.closing)

    def by(self, field: str, labels: dict | None = None) -> list[dict]:
        if field == "state":
            pairs = [(state, n) for _, state, n in self._states]
        elif field == "channel":
            pairs = [(channel, n) for _, channel, n in self._intakes]
        else:  # 大类
            pairs = [(name, n) for name, _, n in self._intakes]
        return _ranked(_summed(pairs), labels)

    def channels(self) -> dict[str, int]:
        return _summed((channel, n) for _, channel, n in self._intakes)

    def by_township(self) -> dict[str, int]:
        return _summed((township, n) for township, _, n in self._states)

    def trend(self) -> dict[dt.date, int]:
        since = timezone.localdate() - dt.timedelta(days=TREND_DAYS - 1)
        daily = self.counts.filter(day__gte=since).values("day").annotate(n=Sum("count"))
        return {row["day"]: row["n"] for row in daily}


def _summed(pairs: Iterable[tuple[Any, int]]) -> dict[Any, int]:
    """The counts by key, without the keys whose count came to nothing."""
    total: Counter = Counter()
    for key, n in pairs:
        total[key] += n
    return {key: n for key, n in total.items() if n}


def _ranked(counts: dict[Any, int], labels: dict | None) -> list[dict]:
    """Largest first, ties in the key's order, as the events' own query orders them."""
    return [
        {"name": str((labels or {}).get(key, key)), "value": n}
        for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _labelled(queryset, field: str, labels: dict | None = None) -> list[dict]:
    grouped = queryset.values(field).annotate(n=Count("id")).order_by("-n", field)
    return [
        {"name": str((labels or {}).get(row[field], row[field])), "value": row["n"]}
        for row in grouped
    ]


def _named(counts: dict[str, int]) -> list[dict]:
    names = dict(Region.objects.filter(path__in=list(counts)).values_list("path", "name"))
    return sorted(
        ({"name": names.get(path, path), "value": n} for path, n in counts.items()),
        key=lambda row: (-row["value"], row["name"]),
    )


def _days(counts: dict[dt.date, int]) -> list[dict]:
    days = [timezone.localdate() - dt.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return [{"day": day.isoformat(), "value": counts.get(day, 0)} for day in days]


def _registry(user: User) -> list[dict]:
    """People, and the open records of each category the user may see, from the
    counts the database keeps (registry.counts)."""
    return [
        {"name": "实有人口", "value": registry_counts.people(user)},
        *registry_counts.records(user),
    ]
