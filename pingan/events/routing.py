"""Where a report goes: the location picks the grid (and so the village and
township), the category picks the default department; nearby open reports of the
same category are offered as likely duplicates."""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet

from pingan.accounts.models import Department
from pingan.events.models import Category, Event, State
from pingan.lib.errors import DomainError
from pingan.regions.geo import grid_index
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


class RoutingError(DomainError):
    pass


def grid_code_for(lng: float, lat: float) -> str:
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise RoutingError("位置坐标无效")
    code = grid_index.get().locate(lng, lat)
    if code is None:
        raise RoutingError("该位置不在本区任何网格内，请确认位置")
    return code


DEPARTMENTS_KEY = "departments:{}"


def forget(sender: type, instance: Department, **kwargs: object) -> None:
    cache.delete(DEPARTMENTS_KEY.format(instance.kind))


def default_department(category: Category, grid: Region) -> Department | None:
    """The department of the category's kind that serves the most specific area
    containing the grid (a township's 派出所 before the district's)."""
    if not category.department_kind:
        return None
    key = DEPARTMENTS_KEY.format(category.department_kind)
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
    return similar_events_many([Nearby(category, lng, lat, now, exclude)], candidates)[0]


@dataclass(frozen=True)
class Nearby:
    """A place and time to look for likely duplicates around."""

    category: Category
    lng: float
    lat: float
    now: dt.datetime
    exclude: int | None = None

    def degrees(self) -> tuple[float, float]:
        """Half the size of the box around the place, in degrees of (lng, lat)."""
        degrees_lat = self.category.dedupe_metres / 111_000
        return degrees_lat / max(0.1, math.cos(math.radians(self.lat))), degrees_lat

    def box(self) -> Q:
        half_lng, half_lat = self.degrees()
        return Q(
            category=self.category,
            lat__range=(self.lat - half_lat, self.lat + half_lat),
            lng__range=(self.lng - half_lng, self.lng + half_lng),
            created_at__gte=self.now - dt.timedelta(days=self.category.dedupe_days),
        )


def similar_events_many(places: list[Nearby], candidates: QuerySet[Event]) -> list[list[Event]]:
    """`similar_events` for several places in two queries, as a batch of reports needs."""
    if not places:
        return []
    boxes = functools.reduce(operator.or_, (place.box() for place in places))
    nearby = candidates.filter(boxes, state__in=DUPLICATE_STATES)
    # Distances from bare coordinates; whole rows only for the few shown.
    rows = nearby.order_by("-id").values_list("id", "category_id", "lng", "lat")
    by_category: dict[int, list[tuple[int, float, float]]] = {}
    for pk, category_id, lng, lat in rows[: 200 * len(places)]:
        by_category.setdefault(category_id, []).append((pk, lng, lat))
    chosen = [_nearest(place, by_category.get(place.category.pk, [])) for place in places]
    wanted = {pk for ids in chosen for pk in ids}
    shown = (
        Event.objects.filter(pk__in=wanted)
        .select_related("category", "category__parent", "grid")
        .defer("grid__boundary")
    )
    by_id = {event.pk: event for event in shown} if wanted else {}
    return [[by_id[pk] for pk in ids] for ids in chosen]


def _nearest(place: Nearby, rows: list[tuple[int, float, float]]) -> list[int]:
    """Ids of the nearest rows within the place's distance. Rows are of its category
    and already within the age limit (every place of one batch shares `now`)."""
    half_lng, half_lat = place.degrees()
    within = sorted(
        (distance, pk)
        for pk, lng, lat in rows
        if pk != place.exclude
        and abs(lng - place.lng) <= half_lng
        and abs(lat - place.lat) <= half_lat
        for distance in [distance_metres(place.lng, place.lat, lng, lat)]
        if distance <= place.category.dedupe_metres
    )
    return [pk for _, pk in within[:SIMILAR_SHOWN]]
