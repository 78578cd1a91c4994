"""The command map: the user's grids coloured by a measure, the open events as
markers and the last 30 days' events as a heat layer. Scoped like every read."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.events.lifecycle import OPEN
from pingan.events.selectors import events_for_user
from pingan.fieldwork.models import Kind
from pingan.fieldwork.selectors import work_for_user
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.parking import selectors as parking_selectors
from pingan.regions.models import Region
from pingan.registry.models import PopulationCount

MEASURES = {
    "open": "在办事件",
    "overdue": "超期事件",
    "population": "实有人口",
    "visits": "近30天入户走访",
}
MAX_MARKERS = 2000
MAX_HEAT = 20000


class MapError(DomainError):
    pass


def per_grid(user: User, measure: str) -> dict[str, int]:
    """The measure per grid path (every counted row carries its grid's path)."""
    since = timezone.now() - dt.timedelta(days=30)
    rows: QuerySet
    if measure == "population":  # the running counts: a million people is no scan
        counted = access.scope(user, PopulationCount.objects.all())
        return dict(counted.values_list("region_path", "count"))
    if measure == "open":
        rows = events_for_user(user).filter(state__in=OPEN)
    elif measure == "overdue":
        rows = events_for_user(user).filter(state__in=OPEN, overdue=True)
    elif measure == "visits":
        rows = work_for_user(user).filter(kind=Kind.VISIT, at__gte=since)
    else:
        raise MapError(f"未知的地图指标：{measure}")
    return dict(rows.values_list("region_path").annotate(n=Count("id")).order_by())


def layers(user: User, measure: str) -> dict:
    values = per_grid(user, measure)
    grids = access.scope(user, Region.objects.filter(level=Level.GRID, active=True), field="path")
    features = [
        {
            "type": "Feature",
            "geometry": grid.boundary,
            "properties": {"code": grid.code, "name": grid.name, "value": values.get(grid.path, 0)},
        }
        for grid in grids
        if grid.boundary
    ]
    open_events = events_for_user(user).filter(state__in=OPEN).select_related("category")
    since = timezone.now() - dt.timedelta(days=30)
    recent = events_for_user(user).filter(created_at__gte=since)
    return {
        "measure": measure,
        "label": MEASURES[measure],
        "classes": class_breaks([f["properties"]["value"] for f in features]),
        "grids": {"type": "FeatureCollection", "features": features},
        "events": [
            {
                "id": e.pk,
                "receipt": e.receipt,
                "category": e.category.name,
                "lat": e.lat,
                "lng": e.lng,
                "overdue": e.overdue,
            }
            for e in open_events.order_by("-id")[:MAX_MARKERS]
        ],
        "heat": [list(point) for point in recent.values_list("lat", "lng")[:MAX_HEAT]],
        "parking": [
            {
                "code": p.code,
                "name": p.name,
                "lng": p.lng,
                "lat": p.lat,
                "free": p.free,
                "capacity": p.capacity,
            }
            for p in parking_selectors.places_for(user)
        ],
    }


CLASSES = 5


def class_breaks(values: list[int], classes: int = CLASSES) -> list[dict]:
    """Classes for colouring grids by a count, from the data: grids with none get a
    class of their own (most grids have no overdue event, and a legend reading
    "0–0, 0–0, 0–1" says nothing); the rest split at quantiles of the distinct
    values, so every class holds grids and no two classes share a bound. Each
    class is {"low", "high", "label"}, ranges inclusive and contiguous."""
    found: list[dict] = []
    if any(v == 0 for v in values):
        found.append({"low": 0, "high": 0, "label": "0"})
    distinct = sorted({v for v in values if v > 0})
    wanted = classes - len(found)
    if len(distinct) <= wanted:
        highs = distinct
    else:
        highs = sorted(
            {distinct[round((i + 1) * len(distinct) / wanted) - 1] for i in range(wanted)}
        )
    low = 1
    for high in highs:
        label = str(high) if low == high else f"{low}–{high}"
        found.append({"low": low, "high": high, "label": label})
        low = high + 1
    return found
