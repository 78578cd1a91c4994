"""Reads of the 部件 registry, always scoped through accounts.access: the parts a
user may see, filtered by class, state and place; their map layer; the figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Avg, Count, F, QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.events.models import State
from pingan.lib.divisions import Level, ancestor_path
from pingan.regions.models import Region
from pingan.things.models import Part, PartClass, PartEvent, PartState

MAP_LIMIT = 20_000  # points one map request returns (a district has a few thousand)


@dataclass(frozen=True)
class Filters:
    """What the list, the map and the export are narrowed by; blank is everything."""

    group: str = ""  # a major class, e.g. 01
    part_class: str = ""  # a minor class, e.g. 0101
    state: str = ""
    under: str = ""  # a region path
    query: str = ""  # code or name or address

    @classmethod
    def of(cls, data) -> Filters:
        return cls(
            group=data.get("group", "").strip(),
            part_class=data.get("class", "").strip(),
            state=data.get("state", "").strip(),
            under=data.get("under", "").strip(),
            query=data.get("q", "").strip(),
        )


def parts_for_user(user: User) -> QuerySet[Part]:
    return access.scope(user, Part.objects.all())


def part_get_for_user(user: User, code: str) -> Part:
    part = (
        parts_for_user(user)
        .filter(code=code)
        .select_related("part_class__group", "grid__parent", "owner", "maintainer")
        .first()
    )
    if part is None:
        raise Http404("没有找到该部件，或无权查看")
    return part


def parts_filtered(user: User, filters: Filters) -> QuerySet[Part]:
    parts = parts_for_user(user)
    if filters.group:
        parts = parts.filter(part_class__code__startswith=filters.group)
    if filters.part_class:
        parts = parts.filter(part_class__code=filters.part_class)
    if filters.state in PartState.values:
        parts = parts.filter(state=filters.state)
    if filters.under:
        parts = parts.filter(region_path__startswith=filters.under)
    if filters.query:
        q = filters.query
        parts = (
            parts.filter(code=q)
            if q.isdigit() and len(q) == 16
            else parts.filter(name__contains=q) | parts.filter(address__contains=q)
        )
    return parts


def geojson(user: User, filters: Filters, bbox: tuple[float, float, float, float] | None) -> dict:
    """The parts as points (a line part: its line) with code, name, class and state:
    what the map draws and a click opens. At most MAP_LIMIT, the rest counted."""
    parts = parts_filtered(user, filters)
    if bbox is not None:
        west, south, east, north = bbox
        parts = parts.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)
    rows = list(
        parts.order_by("id").values_list(
            "code", "name", "lng", "lat", "line", "state", "part_class__code"
        )[: MAP_LIMIT + 1]
    )
    features = [_feature(*row) for row in rows[:MAP_LIMIT]]
    return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}


def _feature(code, name, lng, lat, line, state, class_code) -> dict:
    geometry = (
        {"type": "LineString", "coordinates": line}
        if line
        else {"type": "Point", "coordinates": [lng, lat]}
    )
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": code, "name": name, "state": state, "class": class_code},
    }


def classes() -> list[PartClass]:
    return list(PartClass.objects.filter(active=True).select_related("group"))


def part_events(part: Part) -> list[PartEvent]:
    return list(part.events.select_related("event__category").order_by("-id"))


@dataclass
class Figures:
    by_class: list[tuple[str, int]]
    by_state: list[tuple[str, int]]
    by_village: list[tuple[str, dict[str, int]]]  # village name, state → count
    damage: list[dict]  # per class: events, open, closed, mean handling days


def figures(user: User, under: Region | None = None) -> Figures:
    """Parts by class, state and village, and damage events per class with their
    handling time (report to closure), over the user's scope."""
    parts = parts_for_user(user)
    if under is not None:
        parts = parts.filter(region_path__startswith=under.path)
    by_class = parts.values_list("part_class__code", "part_class__name").annotate(n=Count("id"))
    by_state = Counter(dict(parts.values_list("state").annotate(n=Count("id"))))
    villages: dict[str, Counter] = {}
    for path, state, n in parts.values_list("region_path", "state").annotate(n=Count("id")):
        village = ancestor_path(path, Level.VILLAGE)
        villages.setdefault(village, Counter())[state] += n
    names = dict(Region.objects.filter(path__in=list(villages)).values_list("path", "name"))
    return Figures(
        by_class=[(f"{code} {name}", n) for code, name, n in by_class.order_by("part_class__code")],
        by_state=[(str(label), by_state.get(value, 0)) for value, label in PartState.choices],
        by_village=[(names.get(p, p), dict(c)) for p, c in sorted(villages.items())],
        damage=_damage(parts),
    )


def _damage(parts: QuerySet[Part]) -> list[dict]:
    links = PartEvent.objects.filter(part__in=parts)
    rows = []
    grouped = links.values("part__part_class__code", "part__part_class__name").annotate(
        events=Count("id")
    )
    for row in grouped.order_by("part__part_class__code"):
        mine = links.filter(part__part_class__code=row["part__part_class__code"])
        closed = mine.filter(event__closed_at__isnull=False)
        mean = closed.aggregate(t=Avg(F("event__closed_at") - F("event__created_at")))["t"]
        rows.append(
            {
                "class": f"{row['part__part_class__code']} {row['part__part_class__name']}",
                "events": row["events"],
                "open": mine.exclude(event__state__in=[State.CLOSED, State.ARCHIVED]).count(),
                "closed": closed.count(),
                "days": round(_days(mean), 1) if mean is not None else None,
            }
        )
    return rows


def _days(value: dt.timedelta | float) -> float:
    # PostgreSQL gives an interval; SQLite a number of microseconds.
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return float(value) / 86400e6
