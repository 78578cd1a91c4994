"""The 部件 API: the map layer, a part, and the one-tap damage report the app uses
(POST /api/things/parts/<code>/damage, idempotent by the open event)."""

from __future__ import annotations

from ninja import Router, Schema

from pingan.lib.http import client_ip
from pingan.things import selectors, services
from pingan.things.models import PartState

router = Router(tags=["things"])


def _bbox(text: str) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise services.PartError("bbox 应为 西,南,东,北 四个数") from None
    return west, south, east, north


@router.get("/parts", summary="部件图层（GeoJSON），可按大类、小类、状态、范围筛选")
def parts_layer(
    request,
    group: str = "",
    part_class: str = "",
    state: str = "",
    under: str = "",
    q: str = "",
    bbox: str = "",
):
    filters = selectors.Filters(group, part_class, state, under, q)
    return selectors.geojson(request.user, filters, _bbox(bbox))


class PartOut(Schema):
    code: str
    name: str
    class_code: str
    class_name: str
    state: str
    state_label: str
    lng: float
    lat: float
    grid: str
    address: str
    maintainer: str | None
    attributes: dict


@router.get("/parts/{code}", response=PartOut, summary="一个部件")
def part_detail(request, code: str):
    part = selectors.part_get_for_user(request.user, code)
    return {
        "code": part.code,
        "name": part.name,
        "class_code": part.part_class.code,
        "class_name": part.part_class.name,
        "state": part.state,
        "state_label": part.get_state_display(),
        "lng": part.lng,
        "lat": part.lat,
        "grid": part.grid.code,
        "address": part.address,
        "maintainer": part.maintainer.name if part.maintainer else None,
        "attributes": part.attributes,
    }


class DamageIn(Schema):
    state: str = PartState.DAMAGED
    description: str = ""


class DamageOut(Schema):
    receipt: str
    event_id: int
    department: str | None


@router.post("/parts/{code}/damage", response=DamageOut, summary="部件报损：一键生成事件")
def part_damage(request, code: str, body: DamageIn):
    part = selectors.part_get_for_user(request.user, code)
    intake = services.part_report_damage(
        actor=request.user,
        part=part,
        state=body.state,
        description=body.description,
        ip=client_ip(request),
    )
    event = intake.event
    lead = event.lead_department
    return {
        "receipt": event.receipt,
        "event_id": event.pk,
        "department": lead.name if lead else None,
    }
