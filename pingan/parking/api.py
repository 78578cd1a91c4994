"""慧停车's API: the generic push for cameras of other vendors (docs/parking.md; a
batch of reads, each answered on its own, a bad one reported and the rest kept),
the places layer for the map, and the Curb Data Specification's Metrics
endpoints (CSV, a bearer key)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router
from ninja.security import HttpBearer

from pingan.accounts.models import PARKING_VIEWERS
from pingan.events.models import ApiKey
from pingan.events.open311 import key_hash
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.parking import metrics, push, selectors
from pingan.parking.models import Place, Session

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
    now = timezone.now()
    results: list[dict[str, Any] | None] = [None] * len(items)
    reads, where = [], []
    for index, item in enumerate(items):
        try:
            reads.append(push.generic(item, now))
            where.append(index)
        except DomainError as exc:
            results[index] = {"id": _id(item), "ok": False, "error": str(exc)}
    for index, found in zip(where, push.receive_many(reads, address, now), strict=True):
        results[index] = _result(items[index], found)
    return {"results": results}


def _id(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def _result(item: Any, found: push.Outcome | str | None) -> dict[str, Any]:
    if not isinstance(found, push.Outcome):
        return {"id": _id(item), "ok": False, "error": found or push.UNPLACED}
    return {
        "id": _id(item),
        "ok": True,
        "duplicate": found.duplicate,
        "open": found.open_gate,
        "say": found.say,
        "session": found.session.ticket if found.session else None,
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


class CdsKey(HttpBearer):
    """CDS asks for a bearer token: an API key an administrator issued (the same
    keys as Open311's, only their hash stored)."""

    def authenticate(self, request, token: str):
        return (
            token if ApiKey.objects.filter(key_hash=key_hash(token), active=True).exists() else None
        )


CDS_CSV = "application/vnd.cds+csv;version=1.0"
SESSION_FIELDS = [
    "session_type", "event_session_id", "event_id_start", "event_id_end",
    "event_location_start_latitude", "event_location_start_longitude",
    "event_location_end_latitude", "event_location_end_longitude",
    "event_time_start", "event_time_end", "curb_zone_id", "curb_area_ids",
    "curb_space_id", "vehicle_length", "vehicle_type",
]  # fmt: skip
AGGREGATE_FIELDS = ["curb_place_type", "curb_place_id", "metric_type", "date", "hour", "value"]
MAX_CDS_DAYS = 31


def _cds_span(start_time: int, end_time: int) -> tuple[dt.datetime, dt.datetime]:
    """CDS ranges: integer milliseconds, start inclusive, end exclusive."""
    start = dt.datetime.fromtimestamp(start_time / 1000, tz=dt.UTC)
    end = dt.datetime.fromtimestamp(end_time / 1000, tz=dt.UTC)
    if end <= start or end - start > dt.timedelta(days=MAX_CDS_DAYS):
        raise push.PushError(f"end_time 须晚于 start_time，跨度不超过 {MAX_CDS_DAYS} 天")
    return start, end


def _csv(request, fields: list[str], rows) -> HttpResponse:
    accept = request.headers.get("Accept", "*/*")
    if not any(
        kind in accept for kind in ("*/*", "text/*", "application/*", "application/vnd.cds+csv")
    ):
        return HttpResponse(status=406)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return HttpResponse(out.getvalue(), content_type=CDS_CSV)


def _places(curb_place_id: str) -> list[Place]:
    places = list(Place.objects.filter(active=True))
    return [p for p in places if not curb_place_id or str(metrics.place_uuid(p)) == curb_place_id]


@router.get("/cds/metrics/sessions", auth=CdsKey(), summary="CDS Metrics：停车会话（CSV）")
def cds_sessions(request, start_time: int, end_time: int, curb_place_id: str = ""):
    start, end = _cds_span(start_time, end_time)
    places = {p.pk: p for p in _places(curb_place_id)}
    stays = Session.objects.filter(place__in=list(places)).filter(
        Q(entered_at__gte=start, entered_at__lt=end)
        | Q(entered_at__isnull=True, left_at__gte=start, left_at__lt=end)
    )
    rows = (_session_row(s, places[s.place_id]) for s in stays.order_by("entered_at").iterator())
    return _csv(request, SESSION_FIELDS, rows)


def _session_row(stay: Session, place: Place) -> dict[str, Any]:
    def ms(at: dt.datetime | None) -> str:
        return "" if at is None else str(int(at.timestamp() * 1000))

    return {
        "session_type": "parking",
        "event_session_id": str(metrics.session_uuid(stay)),
        "event_id_start": stay.entry_id or "",
        "event_id_end": stay.exit_id or "",
        "event_location_start_latitude": place.lat if stay.entered_at else "",
        "event_location_start_longitude": place.lng if stay.entered_at else "",
        "event_location_end_latitude": place.lat if stay.left_at else "",
        "event_location_end_longitude": place.lng if stay.left_at else "",
        "event_time_start": ms(stay.entered_at),
        "event_time_end": ms(stay.left_at),
        "curb_zone_id": str(metrics.place_uuid(place)),
        "vehicle_type": "car",
    }


@router.get("/cds/metrics/aggregates", auth=CdsKey(), summary="CDS Metrics：逐小时聚合（CSV）")
def cds_aggregates(
    request, start_time: int, end_time: int, curb_place_id: str = "", metric_type: str = ""
):
    start, end = _cds_span(start_time, end_time)
    rows = metrics.aggregates(_places(curb_place_id), start, end)
    if metric_type:
        rows = [r for r in rows if r["metric_type"] in metric_type.split(",")]
    return _csv(request, AGGREGATE_FIELDS, rows)
