"""Alarm notifications (报警通知) as events. A device's own trouble (video lost,
tampering, a full or failing disk, heat) is a repair of the camera, sent to its
养护 unit as a 部件 report; anything the camera saw (intrusion, loitering, a
pressed alarm button …) is an event of the place, source 视频巡查, its category
chosen by the alarm type and what the camera watches. A repeated notification is
stored once; alarms of one camera and category while its event is open, within
PINGAN_CAMERA_ALARM_MINUTES, join that event instead of opening another."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pingan.events.intake import Report, category_for, event_report
from pingan.events.lifecycle import OPEN
from pingan.events.models import Channel, Event
from pingan.lib.dates import parse_moment
from pingan.lib.errors import DomainError
from pingan.things.services import part_report_damage
from pingan.video.manscdp import Body
from pingan.video.models import Alarm, AlarmMethod, Camera, CameraUse, Device

KINDS = {
    AlarmMethod.DEVICE: {
        1: "视频丢失", 2: "设备防拆", 3: "存储设备磁盘满", 4: "设备高温", 5: "设备低温",
    },
    AlarmMethod.VIDEO: {
        1: "人工视频", 2: "运动目标检测", 3: "遗留物检测", 4: "物体移除检测", 5: "绊线检测",
        6: "入侵检测", 7: "逆行检测", 8: "徘徊检测", 9: "流量统计", 10: "密度检测",
        11: "视频异常检测", 12: "快速移动",
    },
    AlarmMethod.FAULT: {1: "存储设备磁盘故障", 2: "存储设备风扇故障"},
}  # fmt: skip
REPAIRS = (AlarmMethod.DEVICE, AlarmMethod.FAULT)  # the camera itself needs fixing
# What the camera watches says more about an alarm than its type does.
BY_USE = {CameraUse.FOREST: "LY02", CameraUse.SCHOOL: "ZZ06", CameraUse.RIVER: "ZZ04"}
BY_KIND = {7: "MS03", 9: "ZZ04", 10: "ZZ04"}  # 逆行: traffic; 流量, 密度: crowding
DEFAULT_CATEGORY = "ZZ02"  # 治安隐患


def label(method: int, kind: int) -> str:
    said = AlarmMethod(method).label if method in AlarmMethod.values else "报警"
    detail = KINDS.get(AlarmMethod(method), {}).get(kind) if method in AlarmMethod.values else ""
    return f"{said}（{detail}）" if detail else str(said)


def category_code(camera: Camera, method: int, kind: int) -> str:
    if camera.use in BY_USE:
        return BY_USE[CameraUse(camera.use)]
    if method == AlarmMethod.VIDEO:
        return BY_KIND.get(kind, DEFAULT_CATEGORY)
    return DEFAULT_CATEGORY


def alarm_receive(device: Device, body: Body, now: dt.datetime) -> Alarm | None:
    """Store the notification once; an accepted device's alarm about a known
    camera opens (or joins) its event. None for a repeat."""
    method = _method(body.value("AlarmMethod"))
    kind = body.number("Info/AlarmType") or body.number("AlarmType")
    source = body.device_id or device.device_id
    camera = Camera.objects.filter(device_id=source).select_related("part__grid").first()
    try:
        with transaction.atomic():
            alarm = Alarm.objects.create(
                device=device,
                source_id=source[:20],
                camera=camera,
                priority=body.number("AlarmPriority", 4),
                method=method,
                kind=kind,
                at=_moment(body.value("AlarmTime"), now),
                description=body.value("AlarmDescription")[:200],
                lng=_float(body.value("Longitude")),
                lat=_float(body.value("Latitude")),
                received_at=now,
            )
    except IntegrityError:
        return None  # the device sent it again
    if device.accepted and camera is not None:
        alarm.event = _event(camera, alarm)
        alarm.save(update_fields=["event"])
    return alarm


def _method(value: str) -> int:
    """The first method named: devices may send several digits ("25")."""
    for digit in value:
        if digit.isdigit() and int(digit) in AlarmMethod.values:
            return int(digit)
    return AlarmMethod.OTHER


def _moment(value: str, now: dt.datetime) -> dt.datetime:
    """AlarmTime is local time without a zone (国标); a device whose clock says
    nothing readable is taken at the time it arrived."""
    try:
        moment = parse_moment(value) if value else now
    except (ValueError, DomainError):
        return now
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _float(value: str) -> float | None:
    try:
        return float(value) or None
    except ValueError:
        return None


def _event(camera: Camera, alarm: Alarm) -> Event | None:
    said = label(alarm.method, alarm.kind)
    at = timezone.localtime(alarm.at)
    text = f"摄像机「{camera.part.name}」{said}"
    text += f"：{alarm.description}" if alarm.description else ""
    text += f"（国标编码 {camera.device_id}，{at:%Y-%m-%d %H:%M:%S}，{alarm.priority}级警情）"
    if alarm.method in REPAIRS:
        try:
            return part_report_damage(actor=None, part=camera.part, description=text).event
        except DomainError:  # the camera already has an open repair: the alarm joins it
            link = camera.part.events.filter(event__state__in=OPEN).first()
            return link.event if link else None
    code = category_code(camera, alarm.method, alarm.kind)
    joined = _open_alarm_event(camera, code, alarm.at)
    if joined is not None:
        return joined
    report = Report(
        category=category_for(code),
        lng=camera.part.lng,
        lat=camera.part.lat,
        description=text,
        address=camera.part.address,
        source_ref=camera.device_id,
        grid_code=camera.part.grid.code,
    )
    return event_report(actor=None, channel=Channel.VIDEO, report=report).event


def _open_alarm_event(camera: Camera, code: str, at: dt.datetime) -> Event | None:
    since = at - dt.timedelta(minutes=settings.CAMERA_ALARM_MINUTES)
    earlier = (
        Alarm.objects.filter(
            camera=camera,
            at__gte=since,
            event__state__in=OPEN,
            event__category__code=code,
            event__channel=Channel.VIDEO,
        )
        .select_related("event")
        .order_by("-at")
        .first()
    )
    return earlier.event if earlier else None
