"""What the parking pages read: places with their free spaces, nearest first;
and for staff, scoped to their subtree, stays and passages."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.parking.models import Passage, Place, Review, Session

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


def place_get_for_user(user: User, code: str) -> Place:
    place = places_for(user).filter(code=code).first()
    if place is None:
        raise Http404("没有这个停车点，或不在您的辖区内")
    return place


def stays_of_day(place: Place, start: dt.datetime) -> list[Session]:
    end = start + dt.timedelta(days=1)
    touching = Session.objects.filter(place=place).filter(
        Q(entered_at__gte=start, entered_at__lt=end)
        | Q(entered_at__isnull=True, left_at__gte=start, left_at__lt=end)
    )
    return list(touching.order_by("entered_at", "left_at")[:500])


def arrears_total(user: User) -> tuple[int, int]:
    """Stays in arrears still owed in the user's subtree: how many, and the fen."""
    owed = sessions_for(user).filter(arrears=True, fee_fen__gt=F("paid_fen"))
    figures = owed.aggregate(n=Count("id"), fen=Sum(F("fee_fen") - F("paid_fen")))
    return figures["n"] or 0, figures["fen"] or 0


def passages_to_review(user: User) -> QuerySet[Passage]:
    places = places_for(user).values("pk")
    return (
        Passage.objects.filter(review=Review.NEEDED, place__in=places)
        .select_related("place", "camera")
        .order_by("-at")
    )


def passage_get_for_user(user: User, pk: int) -> Passage:
    passage = (
        Passage.objects.filter(pk=pk, place__in=places_for(user).values("pk"))
        .select_related("place")
        .first()
    )
    if passage is None:
        raise Http404("没有这条识别记录，或不在您的辖区内")
    return passage


def plate_stays(user: User, plate: str) -> QuerySet[Session]:
    return sessions_for(user).filter(plate=plate).order_by("-entered_at")[:200]
