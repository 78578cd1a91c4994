"""The phone's offline queue, taken item by item in the order it was recorded.

Each item carries the UUID the phone gave it. The first answer is kept in a
Receipt: a replay of the same item gets that answer again and changes nothing; the
same UUID with another body is refused. A refused item (bad data, out of scope)
leaves no receipt, so the worker can correct it and send it again. Items are taken
one transaction each: one refusal never undoes another item's success."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from PIL import Image

from pingan.accounts.models import User
from pingan.events import photos as event_photos
from pingan.events import services as events
from pingan.events.lifecycle import step_label
from pingan.events.models import Channel, State
from pingan.events.selectors import event_get_for_user
from pingan.fieldwork import changes
from pingan.fieldwork.models import Receipt, WorkRecord
from pingan.fieldwork.services import (
    MAX_PHOTOS,
    FieldError,
    Hazard,
    Work,
    decode_photo,
    parse_time,
    work_record,
)
from pingan.lib.errors import DomainError
from pingan.things.models import PartState
from pingan.things.selectors import part_get_for_user
from pingan.things.services import part_report_damage

MAX_ITEMS = 50
UUID_REUSED = "该提交编号已用于另一条不同的记录"
# Domain refusals carry their own Chinese message; a malformed body gets one.
REFUSALS: list[tuple[type[Exception], int, str]] = [
    (events.Conflict, 409, "conflict"),
    (PermissionDenied, 403, "forbidden"),
    (Http404, 404, "not_found"),
    (DomainError, 422, "invalid"),
]
MALFORMED = (KeyError, TypeError, ValueError)

Handler = Callable[[User, uuid.UUID, dict, str], dict]


def sync(*, actor: User, items: list[dict], ip: str = "") -> list[dict]:
    if len(items) > MAX_ITEMS:
        raise FieldError(f"一次最多同步{MAX_ITEMS}条")
    return [sync_one(actor, item, ip) for item in items]


def body_hash(body: dict) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def sync_one(actor: User, item: dict, ip: str = "") -> dict:
    try:
        key = uuid.UUID(str(item.get("uuid")))
    except ValueError:
        return _refused(None, 422, "invalid", "缺少提交编号")
    kind, body = item.get("kind", ""), item.get("body") or {}
    digest = body_hash({"kind": kind, "body": body})
    replay = _replay(actor, key, digest)
    if replay is not None:
        return replay
    handler = HANDLERS.get(kind)
    if handler is None:
        return _refused(key, 422, "invalid", f"未知的记录类型：{kind}")
    try:
        with transaction.atomic():
            result = handler(actor, key, body, ip)
            Receipt.objects.create(
                client_uuid=key,
                body_hash=digest,
                kind=kind,
                actor=actor,
                status=201,
                response=result,
            )
    except IntegrityError:
        # The same item arrived twice at once and the other request won.
        replay = _replay(actor, key, digest)
        if replay is None:
            raise
        return replay
    except Exception as exc:
        for kind_of, status, code in REFUSALS:
            if isinstance(exc, kind_of):
                return _refused(key, status, code, str(exc))
        if isinstance(exc, MALFORMED):
            return _refused(key, 422, "invalid", "记录内容不完整或格式不对")
        raise
    return {"uuid": str(key), "status": 201, "result": result}


def _replay(actor: User, key: uuid.UUID, digest: str) -> dict | None:
    receipt = Receipt.objects.filter(client_uuid=key).first()
    if receipt is None:
        return None
    if receipt.body_hash != digest or receipt.actor_id != actor.pk:
        return _refused(key, 409, "conflict", UUID_REUSED)
    return {"uuid": str(key), "status": 200, "result": receipt.response, "replayed": True}


def _refused(key: uuid.UUID | None, status: int, code: str, message: str) -> dict:
    return {
        "uuid": str(key) if key else None,
        "status": status,
        "error": {"code": code, "message": message},
    }


# ---- one handler per kind of item ------------------------------------------------


def _work(actor: User, key: uuid.UUID, body: dict, ip: str) -> dict:
    work = Work(
        kind=body["kind"],
        note=body.get("note", ""),
        at=parse_time(body.get("at")),
        lng=_float(body.get("lng")),
        lat=_float(body.get("lat")),
        household_id=body.get("household_id"),
        place_id=body.get("place_id"),
        findings=body.get("findings") or {},
        track=body.get("track") or [],
        photos=[decode_photo(text) for text in body.get("photos", [])],
        hazards=[Hazard(h["category"], h["description"]) for h in body.get("hazards", [])],
        follow_ups=[int(i) for i in body.get("follow_ups", [])],
    )
    record = work_record(actor=actor, work=work, client_uuid=key)
    receipts = [event.receipt for event in record.events.all()]
    return {
        "work_id": record.pk,
        "kind": record.kind,
        "events": receipts,
        "message": work_message(record, receipts),
    }


NEAR_METRES = 1000  # a fix this far off is the phone's error, not another place


def work_message(record: WorkRecord, receipts: list[str]) -> str:
    """What happened, in the worker's words: 已保存场所排查，已上报事件 WMZAJXKQZT."""
    parts = [f"已保存{record.get_kind_display()}"]
    if receipts:
        parts.append(f"已上报事件 {'、'.join(receipts)}")
    away = record.findings.get("away_m")
    if away is not None:
        where = "场所" if record.place_id else "户"
        why = "可能是定位偏差" if away <= NEAR_METRES else "请核实是否在现场"
        parts.append(f"手机定位在网格外约 {away} 米（{why}），已按{where}所在网格记录")
    return "，".join(parts)


def _float(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def _event(actor: User, key: uuid.UUID, body: dict, ip: str) -> dict:
    lng, lat = _float(body.get("lng")), _float(body.get("lat"))
    if lng is None or lat is None:
        lng, lat = _grid_point(actor)
    report = events.Report(
        category=events.category_for(body["category"]),
        lng=lng,
        lat=lat,
        description=body.get("description", ""),
        address=body.get("address", ""),
        photos=_photos(body),
    )
    intake = events.event_report(
        actor=actor, channel=Channel.GRID_WORKER, report=report, client_uuid=key, ip=ip
    )
    receipt = intake.event.receipt
    return {"event_id": intake.event.pk, "receipt": receipt, "message": f"已上报事件 {receipt}"}


def _grid_point(actor: User) -> tuple[float, float]:
    """No fix from the phone: the middle of the worker's own grid."""
    if actor.region is None or not actor.region.boundary:
        raise FieldError("无法确定事件位置，请开启定位")
    return actor.region.inner_point()


def _event_action(actor: User, key: uuid.UUID, body: dict, ip: str) -> dict:
    """A transition taken on the phone (sign, handle, verify …), with its photos.
    The version the phone saw travels with it: if the event moved on meanwhile,
    the action is refused as a conflict, never applied to a different state."""
    event = event_get_for_user(actor, int(body["event_id"]))
    event = events.event_transition(
        event=event,
        action=body["action"],
        actor=actor,
        version=body.get("version"),
        reason=body.get("reason", ""),
        ip=ip,
        photos=_photos(body),
        inputs=body,  # the action's own inputs, read as its row of the table says
    )
    return {
        "event_id": event.pk,
        "state": event.state,
        "version": event.version,
        "message": f"事件 {event.receipt}：{step_label(body['action'])}，"
        f"现为「{State(event.state).label}」",
    }


def _photos(body: dict) -> list[tuple[bytes, Image.Image]]:
    """The item's photos, decoded and checked before anything is stored."""
    if len(body.get("photos", [])) > MAX_PHOTOS:
        raise FieldError(f"每条记录最多{MAX_PHOTOS}张照片")
    raw = [decode_photo(text) for text in body.get("photos", [])]
    return [(data, event_photos.decode(data)) for data in raw]


def _change(actor: User, key: uuid.UUID, body: dict, ip: str) -> dict:
    change = changes.change_submit(
        actor=actor,
        proposed=changes.Proposed(
            kind=body["kind"],
            payload=body.get("payload") or {},
            base=body.get("base") or {},
            target_id=body.get("target_id"),
        ),
        client_uuid=key,
    )
    return {
        "change_id": change.pk,
        "status": change.status,
        "result_id": change.result_id,
        "server": change.server,
    }


def _part_damage(actor: User, key: uuid.UUID, body: dict, ip: str) -> dict:
    """A damaged 部件 reported on the phone: the part's own event (things.services)."""
    part = part_get_for_user(actor, str(body["code"]))
    intake = part_report_damage(
        actor=actor,
        part=part,
        state=body.get("state") or PartState.DAMAGED,
        description=body.get("description", ""),
        photos=_photos(body),
        ip=ip,
    )
    event = intake.event
    lead = f"，转{event.lead_department.name}" if event.lead_department else ""
    message = f"已上报部件报损 {event.receipt}{lead}"
    return {"event_id": event.pk, "receipt": event.receipt, "message": message}


HANDLERS: dict[str, Handler] = {
    "work": _work,
    "event": _event,
    "part_damage": _part_damage,
    "event_action": _event_action,
    "change": _change,
}
