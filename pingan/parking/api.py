"""The generic push for cameras of other vendors (docs/parking.md): a batch of
reads, each answered on its own; a bad one is reported and the rest kept."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Router

from pingan.accounts.models import PARKING_VIEWERS
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.parking import push, selectors

router = Router(tags=["parking"])


@router.post("/events", auth=None, summary="停车识别事件（通用格式，可批量）：每条单独回复")
def events(request) -> dict[str, Any]:
    value = push.body_json(request.body)
    items = value.get("events")
    if not isinstance(items, list) or not items:
        raise push.PushError("events 须是非空数组")
    if len(items) > push.MAX_BATCH:
        raise push.PushError(f"一次最多 {push.MAX_BATCH} 条")
    address = client_ip(request)
    return {"results": [_one(item, address) for item in items]}


def _one(item: Any, address: str) -> dict[str, Any]:
    given = item.get("id") if isinstance(item, dict) else None
    try:
        read = push.generic(item, timezone.now())
        outcome = push.receive(read, address)
    except DomainError as exc:
        return {"id": given, "ok": False, "error": str(exc)}
    if outcome is None:
        return {"id": given, "ok": False, "error": "未登记的摄像机，已列入待管理员确认"}
    return {
        "id": given,
        "ok": True,
        "duplicate": outcome.duplicate,
        "open": outcome.open_gate,
        "say": outcome.say,
        "session": outcome.session.ticket if outcome.session else None,
    }


@router.get("/places", summary="停车点图层（GeoJSON）：泊位、在场、空位；路内为线，路外为点")
def parking_places(request) -> dict[str, Any]:
    if request.user.role not in PARKING_VIEWERS:
        raise PermissionDenied
    return {
        "type": "FeatureCollection",
        "features": [_feature(p) for p in selectors.places_for(request.user)],
    }


def _feature(place) -> dict[str, Any]:
    line = place.line if isinstance(place.line, list) and len(place.line) >= 2 else None
    geometry = (
        {"type": "LineString", "coordinates": line}
        if line
        else {"type": "Point", "coordinates": [place.lng, place.lat]}
    )
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "code": place.code,
            "name": place.name,
            "kind": place.kind,
            "capacity": place.capacity,
            "occupied": place.occupied,
            "free": place.free,
        },
    }
