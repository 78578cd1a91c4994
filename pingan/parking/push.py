"""The cameras' own formats, read into Sightings: the 臻识 (Vzenith)
AlarmInfoPlate push and heartbeat, and the platform's generic JSON for other
vendors. Nothing here trusts the body: every problem is a PushError with a
Chinese message, and the caller answers with JSON whatever happens."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, replace
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pingan.lib.errors import DomainError
from pingan.parking import plates, reading, services
from pingan.parking.models import CameraRole, Direction, PlateCamera
from pingan.parking.services import Outcome, Sighting

# The 臻识 direction of travel in the image (0 未知, 1 左, 2 右, 3 上, 4 下): over
# spaces, a plate moving up the image is leaving. Gate cameras go by their role.
ZHENSHI_LEAVING = {3}
# What the generic format's event may be called (CDS park_* and enter/exit_area too).
EVENTS = {
    "in": Direction.IN,
    "enter": Direction.IN,
    "park_start": Direction.IN,
    "enter_area": Direction.IN,
    "out": Direction.OUT,
    "exit": Direction.OUT,
    "park_end": Direction.OUT,
    "exit_area": Direction.OUT,
}
MAX_BATCH = 500
# A camera clock this far ahead of ours is wrong; its time is replaced by ours.
CLOCK_AHEAD = dt.timedelta(minutes=10)


class PushError(DomainError):
    pass


@dataclass(frozen=True)
class Read:
    """A plate read before its camera is resolved to a place."""

    serial: str
    plate: str
    at: dt.datetime
    colour: int | None
    confidence: int
    offline: bool
    source_id: str
    direction: str | None  # None: the camera's role decides
    moving_up: bool = False
    space: str = ""
    image: bytes | None = None
    name: str = ""
    heartbeat: bool = False
    from_picture: bool = False


def body_json(body: bytes) -> dict[str, Any]:
    """The raw body as a JSON object, whatever Content-Type the camera claimed."""
    try:
        value = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PushError("请求体不是 UTF-8 JSON") from exc
    if not isinstance(value, dict):
        raise PushError("请求体须是 JSON 对象")
    return value


def zhenshi(value: dict[str, Any], now: dt.datetime) -> Read:
    """An AlarmInfoPlate push, or a heartbeat (a body with a serial number and no
    plate result, top-level or under AlarmInfoPlate)."""
    alarm = value.get("AlarmInfoPlate")
    holder = alarm if isinstance(alarm, dict) else value
    serial = _text(holder.get("serialno") or value.get("serialno"))
    if not serial:
        raise PushError("缺少设备序列号 serialno")
    result = holder.get("result") if isinstance(holder.get("result"), dict) else None
    plate = result.get("PlateResult") if result else None
    if not isinstance(plate, dict):
        return Read(serial, "", now, None, 0, False, "", None, heartbeat=True)
    return Read(
        serial=serial,
        plate=_text(plate.get("license")),
        at=_timeval(plate.get("timeStamp"), now),
        colour=_int(plate.get("colorType")),
        confidence=_int(plate.get("confidence")) or 0,
        offline=bool(_int(plate.get("isoffline"))),
        source_id=_text(
            plate.get("plateid") if plate.get("plateid") is not None else plate.get("record_uuid")
        ),
        direction=None,
        moving_up=_int(plate.get("direction")) in ZHENSHI_LEAVING,
        image=_image(plate.get("imageFile")),
        name=_text(holder.get("deviceName")),
    )


def generic(item: Any, now: dt.datetime) -> Read:
    """One event of the generic format (docs/parking.md)."""
    if not isinstance(item, dict):
        raise PushError("每个事件须是 JSON 对象")
    serial = _text(item.get("camera"))
    if not serial:
        raise PushError("缺少摄像机序列号 camera")
    event = _text(item.get("event")).lower()
    if event and event not in EVENTS:
        raise PushError(f"未知的事件类型：{event}（可用 in、out、park_start、park_end）")
    if "time" not in item:
        raise PushError("缺少事件时间 time")
    return Read(
        serial=serial,
        plate=_text(item.get("plate")),
        at=_time(item.get("time"), now),
        colour=_int(item.get("colour")),
        confidence=_int(item.get("confidence")) or 100,
        offline=bool(item.get("offline")),
        source_id=_text(item.get("id")),
        direction=EVENTS[event] if event else None,
        space=_text(item.get("space"))[:20],
        image=_image(item.get("image")),
    )


def sighting(read: Read, camera: PlateCamera) -> Sighting:
    assert camera.place is not None
    return Sighting(
        place=camera.place,
        camera=camera,
        plate=read.plate,
        direction=read.direction or _direction(camera, read),
        at=read.at,
        colour=read.colour,
        confidence=read.confidence,
        offline=read.offline,
        source_id=read.source_id,
        space=read.space,
        from_picture=read.from_picture,
    )


def _direction(camera: PlateCamera, read: Read) -> str:
    if camera.role == CameraRole.EXIT:
        return Direction.OUT
    if camera.role == CameraRole.OVERHEAD and read.moving_up:
        return Direction.OUT
    return Direction.IN


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _timeval(stamp: Any, now: dt.datetime) -> dt.datetime:
    """Timeval.sec/usec since 1970 (UTC); none given: now."""
    timeval = stamp.get("Timeval") if isinstance(stamp, dict) else None
    if not isinstance(timeval, dict) or _int(timeval.get("sec")) is None:
        return now
    seconds = float(_int(timeval.get("sec")) or 0) + (_int(timeval.get("usec")) or 0) / 1e6
    return _checked(dt.datetime.fromtimestamp(seconds, tz=dt.UTC), now)


def _time(value: Any, now: dt.datetime) -> dt.datetime:
    """ISO 8601 with an offset, or milliseconds since the epoch (as CDS counts)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return _checked(dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC), now)
        except (OverflowError, OSError, ValueError) as exc:
            raise PushError("事件时间超出范围") from exc
    moment = parse_datetime(_text(value)) if isinstance(value, str) else None
    if moment is None:
        raise PushError("事件时间须是 ISO 8601（带时区）或毫秒时间戳")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return _checked(moment, now)


def _checked(moment: dt.datetime, now: dt.datetime) -> dt.datetime:
    if moment.year < 2000:
        raise PushError("事件时间早于2000年，摄像机时钟未设置")
    return now if moment > now + CLOCK_AHEAD else moment


def _image(value: Any) -> bytes | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=False)
    except (binascii.Error, ValueError):
        return None


def _from_picture(read: Read) -> Read:
    """A read with a picture and no plate the camera could make out: the plate
    read from the picture when a reader is set (a car without plates stays one)."""
    if read.image is None or not reading.enabled() or not plates.read(read.plate).unplated:
        return read
    found = reading.read_image(read.image)
    if found is None:
        return read
    return replace(read, plate=found.text, confidence=found.confidence, from_picture=True)


UNPLACED = "未登记的摄像机，已列入待管理员确认"


def receive(read: Read, address: str, now: dt.datetime | None = None) -> Outcome | None:
    """A read from a camera: None when the camera is not one an administrator
    placed (then it is listed for them) or it was a heartbeat; otherwise the
    passage and the answer."""
    found = receive_many([read], address, now)[0]
    return found if isinstance(found, Outcome) else None


def receive_many(
    reads: list[Read], address: str, now: dt.datetime | None = None
) -> list[Outcome | str | None]:
    """Each read's outcome, in order: recorded together (services.passages_record),
    or why not (a camera nobody placed), or None for a heartbeat."""
    now = now or timezone.now()
    results: list[Outcome | str | None] = [None] * len(reads)
    sightings, where = [], []
    for index, read in enumerate(reads):
        camera = services.camera_by_serial(read.serial[:64])
        if camera is None or not camera.accepted or camera.place is None:
            services.camera_unknown(read.serial, address, read.name)
            results[index] = UNPLACED
            continue
        services.camera_seen(camera, address, now)
        if not read.heartbeat:
            sightings.append(sighting(_from_picture(read), camera))
            where.append(index)
    for index, outcome in zip(where, services.passages_record(sightings, now), strict=True):
        results[index] = outcome
        image = reads[index].image
        if image and not outcome.duplicate:
            services.passage_image(outcome.passage, image)
    return results
