"""Where a report goes: the location picks the grid (and so the village and
township), the category picks the default department; nearby open reports of the
same category are offered as likely duplicates."""

from __future__ import annotations

import datetime as dt
import math

from django.core.cache import cache
from django.db.models import QuerySet

from pingan.accounts.models import Department
from pingan.events.models import Category, Event, State
from pingan.regions.geo import locate
from pingan.regions.models import Region

EARTH_METRES = 6_371_000
SIMILAR_SHOWN = 5  # a reporter or dispatcher reads a handful, not a list
DUPLICATE_STATES = [
    State.REPORTED,
    State.ACCEPTED,
    State.DISPATCHED,
    State.RETURNED,
    State.HANDLING,
    State.SUSPENDED,
    State.HANDLED,
]


class RoutingError(ValueError):
    pass


def grid_for(lng: float, lat: float) -> Region:
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise RoutingError("位置坐标无效")
    grid = locate(lng, lat)
    if grid is None:
        raise RoutingError("该位置不在本区任何网格内，请确认位置")
    return grid


def default_department(category: Category, grid: Region) -> Department | None:
    """The department of the category's kind that serves the most specific area
    containing the grid (a township's 派出所 before the district's)."""
    if not category.department_kind:
        return None
    key = f"departments:{category.department_kind}"
    candidates = cache.get(key)
    if candidates is None:
        candidates = list(
            Department.objects.filter(kind=category.department_kind).select_related("region")
        )
        cache.set(key, candidates, 60)
    serving = [d for d in candidates if grid.path.startswith(d.region.path)]
    return max(serving, key=lambda d: len(d.region.path), default=None)


def distance_metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_METRES * math.asin(math.sqrt(a))


def similar_events(
    category: Category,
    lng: float,
    lat: float,
    now: dt.datetime,
    candidates: QuerySet[Event],
    *,
    exclude: int | None = None,
) -> list[Event]:
    """Open events of the category within its dedupe distance and age, nearest first.
    `candidates` is already scoped to what the caller may see."""
    degrees_lat = category.dedupe_metres / 111_000
    degrees_lng = degrees_lat / max(0.1, math.cos(math.radians(lat)))
    nearby = candidates.filter(
        category=category,
        state__in=DUPLICATE_STATES,
        created_at__gte=now - dt.timedelta(days=category.dedupe_days),
        lng__range=(lng - degrees_lng, lng + degrees_lng),
        lat__range=(lat - degrees_lat, lat + degrees_lat),
    )
    if exclude is not None:
        nearby = nearby.exclude(pk=exclude)
    # Distances from bare coordinates; whole rows only for the few shown.
    rows = nearby.order_by("-id").values_list("id", "lng", "lat")[:200]
    within = sorted((distance_metres(lng, lat, x, y), pk) for pk, x, y in rows)
    ids = [pk for d, pk in within if d <= category.dedupe_metres][:SIMILAR_SHOWN]
    shown = (
        Event.objects.filter(pk__in=ids)
        .select_related("category", "category__parent", "grid")
        .defer("grid__boundary")
    )
    return sorted(shown, key=lambda e: ids.index(e.pk))
