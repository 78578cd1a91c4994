"""Cameras entered and their online state changed. A camera is created as its 部件
(class 0601 监控设备) and the camera row in one transaction; a state change is kept
in its history and journaled."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import Department, User
from pingan.accounts.selectors import department_staff
from pingan.audit.services import Record, journal_write, journal_write_many
from pingan.events.lifecycle import OPEN
from pingan.events.models import Event
from pingan.events.transitions import event_transition
from pingan.lib.errors import DomainError
from pingan.notices.services import notify
from pingan.things.models import PartClass
from pingan.things.services import grid_at, part_create
from pingan.video import gbid
from pingan.video.models import (
    CAMERA_CLASS,
    Camera,
    CameraOutage,
    CameraStatus,
    CameraUse,
    Channel,
    Device,
)


class CameraError(DomainError):
    pass


def camera_create(
    *,
    actor: User | None,
    device_id: str,
    lng: float,
    lat: float,
    name: str = "",
    use: str = CameraUse.ROAD,
    direction: int = 0,
    view_angle: int = 60,
    view_range: int = 80,
    address: str = "",
    holder: str = "",
    maintainer: Department | None = None,
) -> Camera:
    county = grid_at(lng, lat).code[:6]
    device = gbid.parse(device_id, county=county)
    if not device.is_camera:
        raise CameraError(f"国标编码的类型是「{device.type_label}」，不是摄像机（131/132/121）")
    if Camera.objects.filter(device_id=str(device)).exists():
        raise CameraError(f"国标编码「{device}」已登记")
    _check_view(use, direction, view_angle, view_range)
    with transaction.atomic():
        part = part_create(
            actor=actor,
            part_class=PartClass.objects.get(code=CAMERA_CLASS),
            lng=lng,
            lat=lat,
            name=name or "监控设备",
            address=address,
            holder=holder,
            maintainer=maintainer,
        )
        return Camera.objects.create(
            part=part,
            via=_reached_through(str(device)),
            device_id=str(device),
            use=use,
            direction=direction,
            view_angle=view_angle,
            view_range=view_range,
        )


def _reached_through(device_id: str) -> Device | None:
    """The device a camera entered by hand is reached through, if it registered:
    itself, or the device whose Catalog lists it."""
    own = Device.objects.filter(device_id=device_id).first()
    if own is not None:
        return own
    channel = Channel.objects.filter(channel_id=device_id).select_related("device").first()
    return channel.device if channel else None


def _check_view(use: str, direction: int, view_angle: int, view_range: int) -> None:
    if use not in CameraUse.values:
        raise CameraError("用途应为道路、村口、校园周边、停车场、河道、森林防火或其他")
    if not 0 <= direction < 360:
        raise CameraError("朝向应为0到359度（正北为0，顺时针）")
    if not 1 <= view_angle <= 360:
        raise CameraError("视角应为1到360度")
    if not 1 <= view_range <= 2000:
        raise CameraError("可视距离应为1到2000米")


def camera_status(
    camera: Camera, online: bool, *, reason: str, at: dt.datetime | None = None
) -> bool:
    """Mark the camera online or offline; True when that changed its state. A
    keepalive of a camera already online only moves last_seen."""
    return bool(cameras_status([camera], online, reason=reason, at=at))


def cameras_status(
    cameras: list[Camera], online: bool, *, reason: str, at: dt.datetime | None = None
) -> list[Camera]:
    """The same for many cameras at once (a second's keepalives, an NVR's channels):
    one update of their state, their history rows and journal rows written together.
    Returns those whose state changed; one another process changed first is left."""
    now = at or timezone.now()
    ids = [c.pk for c in cameras]
    if online:
        Camera.objects.filter(pk__in=ids).update(last_seen=now)
        for camera in cameras:
            camera.last_seen = now
    with transaction.atomic():
        due = Camera.objects.filter(pk__in=ids, online=not online)
        flipping = set(due.select_for_update().values_list("pk", flat=True))
        if not flipping:
            return []
        Camera.objects.filter(pk__in=flipping).update(online=online, status_since=now)
        changed = [c for c in cameras if c.pk in flipping]
        for camera in changed:
            camera.online, camera.status_since = online, now
        CameraStatus.objects.bulk_create(
            CameraStatus(camera=c, online=online, at=now, reason=reason) for c in changed
        )
        _outages(changed, online, now)
        journal_write_many(
            [
                Record(
                    actor=None,
                    action="camera.online" if online else "camera.offline",
                    object_type="camera",
                    object_id=c.pk,
                    region_path=c.part.region_path,
                    data={"device_id": c.device_id, "reason": reason},
                )
                for c in changed
            ]
        )
    return changed


def _outages(cameras: list[Camera], online: bool, now: dt.datetime) -> None:
    """An outage starts when a camera goes offline and ends when it is back; the
    maintenance event it opened closes itself then (the `restored` step), and its
    department is told."""
    if not online:
        CameraOutage.objects.bulk_create(CameraOutage(camera=c, started_at=now) for c in cameras)
        return
    ended = CameraOutage.objects.filter(camera__in=cameras, ended_at=None)
    for outage in ended.filter(event__state__in=OPEN).select_related("event", "camera"):
        if outage.event is not None:
            _close_repair(outage.camera, outage.event)
    ended.update(ended_at=now)


def _close_repair(camera: Camera, event: Event) -> None:
    try:
        event_transition(
            event=event, action="restored", actor=None, reason="摄像机已恢复在线，系统自动办结"
        )
    except DomainError:
        return  # someone moved it meanwhile: they close it
    if event.lead_department_id:
        notify(
            department_staff([event.lead_department_id]),
            f"摄像机 {camera.device_id} 已恢复在线，维护事件 {event.receipt} 已自动办结",
            reverse("events:detail", args=[event.pk]),
        )


def camera_update_view(
    *, actor: User, camera: Camera, use: str, direction: int, view_angle: int, view_range: int
) -> Camera:
    access.require_scope(actor, camera.part.region_path, write=True)
    _check_view(use, direction, view_angle, view_range)
    before = [camera.use, camera.direction, camera.view_angle, camera.view_range]
    camera.use, camera.direction = use, direction
    camera.view_angle, camera.view_range = view_angle, view_range
    with transaction.atomic():
        camera.save(update_fields=["use", "direction", "view_angle", "view_range"])
        journal_write(
            actor=actor,
            action="camera.view",
            object_type="camera",
            object_id=camera.pk,
            region_path=camera.part.region_path,
            data={"before": before, "after": [use, direction, view_angle, view_range]},
        )
    return camera
