"""What the parking pages read: places with their free spaces, nearest first;
and for staff, scoped to their subtree, stays and passages."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import QuerySet

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.parking.models import Place, Session

NEAREST = 20


@dataclass(frozen=True)
class Near:
    place: Place
    metres: int | None


def metres(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance (haversine), enough for 'which lot is closer'."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def nearest(lng: float | None, lat: float | None, limit: int = NEAREST) -> list[Near]:
    """Open places with a free space first by distance from the driver (or by
    how many are free, when the driver did not say where they are)."""
    places = list(Place.objects.filter(active=True).select_related("tariff"))
    if lng is None or lat is None:
        places.sort(key=lambda p: (-p.free, p.code))
        return [Near(p, None) for p in places[:limit]]
    near = [Near(p, round(metres(lng, lat, p.lng, p.lat))) for p in places]
    near.sort(key=lambda n: (n.place.free == 0, n.metres))
    return near[:limit]


def places_for(user: User) -> QuerySet[Place]:
    return access.scope(user, Place.objects.filter(active=True)).select_related("region", "tariff")


def sessions_for(user: User) -> QuerySet[Session]:
    return access.scope(user, Session.objects.all()).select_related("place")
