"""What registered over GB/T 28181, kept: its registration and keepalives, its
DeviceInfo, its Catalog (the channels), and an administrator's acceptance, which
is what lets a device move cameras. Channels of an accepted device become cameras
where they say where they are; a camera entered by hand with a channel's id is
linked to it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.lib.errors import DomainError
from pingan.video import gbid
from pingan.video.models import Camera, Channel, Device
from pingan.video.services import camera_create, camera_status, cameras_status

CHANNEL_FIELDS = {  # Catalog item element → Channel field, with its column length
    "Name": ("name", 100),
    "Manufacturer": ("manufacturer", 60),
    "Model": ("model", 60),
    "Owner": ("owner", 100),
    "CivilCode": ("civil_code", 20),
    "Address": ("address", 200),
    "ParentID": ("parent_id", 20),
}
INFO_FIELDS = {"DeviceName": "name", "Manufacturer": "manufacturer", "Model": "model"}


def device_registered(
    device_id: str, *, address: str, transport: str, expires: int, now: dt.datetime
) -> Device:
    device, _ = Device.objects.get_or_create(device_id=device_id)
    device.address, device.transport = address, transport
    if expires == 0:
        device.expires_at = now
        device.save()
        _move(device, False, "主动注销", now)
        return device
    device.registered_at, device.expires_at = now, now + dt.timedelta(seconds=expires)
    device.last_keepalive = now
    device.save()
    _move(device, True, "注册", now)
    return device


def devices_kept_alive(seen: dict[int, str], now: dt.datetime) -> int:
    """The keepalives of a moment (device pk → the address each came from), written
    together: the devices' last keepalive and, where NAT moved one, its address;
    the cameras they reach seen now, those that were offline back online. Returns
    the cameras that came back."""
    with transaction.atomic():
        Device.objects.filter(pk__in=seen).update(last_keepalive=now)
        stored = Device.objects.filter(pk__in=seen).values_list("pk", "address")
        for pk, address in stored:
            if address != seen[pk]:
                Device.objects.filter(pk=pk).update(address=seen[pk])
        cameras = reached(Device.objects.filter(pk__in=seen, accepted=True))
        cameras.filter(online=True).update(last_seen=now)
        back = list(cameras.filter(online=False).select_related("part"))
        return len(cameras_status(back, True, reason="心跳", at=now))


def reached(devices: QuerySet[Device]) -> QuerySet[Camera]:
    """The cameras devices reach: themselves and their channels, less the channels
    their last Catalog said are off."""
    off = Channel.objects.filter(device__in=devices, online=False).values("channel_id")
    return Camera.objects.filter(
        Q(via__in=devices) | Q(device_id__in=devices.values("device_id"))
    ).exclude(device_id__in=off)


def _move(device: Device, online: bool, reason: str, now: dt.datetime) -> None:
    """Only an accepted device moves cameras; one not accepted changes nothing
    (it is listed for an administrator on the devices page)."""
    if not device.accepted:
        return
    cameras = reached(Device.objects.filter(pk=device.pk))
    if online:
        cameras.filter(online=True).update(last_seen=now)
    flipping = list(cameras.filter(online=not online).select_related("part"))
    cameras_status(flipping, online, reason=reason, at=now)


def device_info(device: Device, values: dict[str, str], charset: str) -> None:
    """A DeviceInfo answer: name, maker, model, firmware, channel count (the 2016
    <Channel>, or <MaxCamera> from older devices)."""
    for element, name in INFO_FIELDS.items():
        if values.get(element):
            setattr(device, name, values[element][: 100 if name == "name" else 60])
    device.firmware = values.get("Firmware", device.firmware)[:60]
    count = values.get("Channel") or values.get("MaxCamera") or ""
    if count.isdigit():
        device.channel_count = int(count)
    device.charset = charset
    device.save()


def device_catalog(device: Device, items: list[dict[str, str]], now: dt.datetime) -> int:
    """A whole Catalog (every packet up to SumNum) replaces the device's channel
    set; a partial one is never given here. Returns the cameras it created."""
    rows = {}
    for item in items:
        channel_id = item.get("DeviceID", "")
        if gbid.DEVICE_ID.match(channel_id):
            rows[channel_id] = _channel(device, channel_id, item, now)
    with transaction.atomic():
        Channel.objects.filter(device=device).exclude(channel_id__in=rows).delete()
        for row in rows.values():
            Channel.objects.update_or_create(
                device=device,
                channel_id=row.channel_id,
                defaults={
                    f.attname: getattr(row, f.attname)
                    for f in Channel._meta.concrete_fields
                    if f.attname not in ("id", "device_id", "channel_id")
                },
            )
        Device.objects.filter(pk=device.pk).update(catalog_at=now)
    return cameras_from_channels(device, now) if device.accepted else 0


def _channel(device: Device, channel_id: str, item: dict[str, str], now: dt.datetime) -> Channel:
    channel = Channel(device=device, channel_id=channel_id, updated_at=now)
    for element, (name, length) in CHANNEL_FIELDS.items():
        setattr(channel, name, item.get(element, "")[:length])
    channel.online = item.get("Status", "").upper() in ("ON", "ONLINE")
    channel.lng, channel.lat = _coordinate(item.get("Longitude")), _coordinate(item.get("Latitude"))
    return channel


def _coordinate(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if number else None  # 0 is "not set" on many devices


def cameras_from_channels(device: Device, now: dt.datetime) -> int:
    """Link each channel to its camera, creating the camera where the channel is
    a camera (131/132) and says where it is inside the district; the camera's
    online state follows the channel's and the device's."""
    created = 0
    device_online = bool(device.expires_at and device.expires_at > now)
    for channel in device.channels.all():
        camera = Camera.objects.filter(device_id=channel.channel_id).select_related("part").first()
        if camera is None:
            camera = _new_camera(channel)
            created += camera is not None
        if camera is None:
            continue
        if camera.via_id != device.pk:
            Camera.objects.filter(pk=camera.pk).update(via=device)
        reason = "目录：在线" if channel.online else "目录：离线"
        camera_status(camera, channel.online and device_online, reason=reason, at=now)
    return created


def _new_camera(channel: Channel) -> Camera | None:
    if channel.lng is None or channel.lat is None:
        return None  # waits on the devices page for someone to place it
    try:
        if not gbid.parse(channel.channel_id).is_camera:
            return None
        return camera_create(
            actor=None,
            device_id=channel.channel_id,
            lng=channel.lng,
            lat=channel.lat,
            name=channel.name or "监控设备",
            address=channel.address,
            holder=channel.owner,
        )
    except (DomainError, gbid.DeviceIdError):
        return None  # outside the district or a foreign id: placed by hand


def device_accept(*, actor: User, device: Device) -> int:
    """An administrator trusts the device: from now on it moves its cameras.
    Returns the cameras its Catalog created."""
    if device.accepted:
        return 0
    now = timezone.now()
    with transaction.atomic():
        device.accepted = True
        device.save(update_fields=["accepted"])
        Camera.objects.filter(device_id=device.device_id, via=None).update(via=device)
        journal_write(
            actor=actor,
            action="device.accept",
            object_type="device",
            object_id=device.pk,
            data={"device_id": device.device_id},
        )
        created = cameras_from_channels(device, now)
        _move(device, bool(device.expires_at and device.expires_at > now), "接入", now)
    return created
