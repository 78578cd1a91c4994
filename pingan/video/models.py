"""雪亮工程: the district's cameras. A camera is a 部件 of class 0601 监控设备 (its
place, grid, 权属 and 养护 are the part's) with what a camera has besides: its
GB/T 28181 id, what it watches and how (direction and view range, drawn as a
sector), and whether it is online, with the history of that."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.lib.fields import PathField

CAMERA_CLASS = "0601"  # the 部件 class of cameras


class CameraUse(models.TextChoices):
    ROAD = "road", _("道路")
    ENTRANCE = "entrance", _("村口")
    SCHOOL = "school", _("校园周边")
    PARKING = "parking", _("停车场")
    RIVER = "river", _("河道")
    FOREST = "forest", _("森林防火")
    OTHER = "other", _("其他")


class Camera(models.Model):
    part = models.OneToOneField("things.Part", on_delete=models.PROTECT, related_name="camera")
    device_id = models.CharField(max_length=20, unique=True)
    use = models.CharField(max_length=10, choices=CameraUse.choices, default=CameraUse.ROAD)
    direction = models.PositiveSmallIntegerField(default=0)  # degrees from north, clockwise
    view_angle = models.PositiveSmallIntegerField(default=60)  # degrees; 360 for a dome
    view_range = models.PositiveIntegerField(default=80)  # metres
    # The device it is reached through: itself (an IPC that registers) or an NVR
    # whose Catalog lists it as a channel.
    via = models.ForeignKey(
        "Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="cameras"
    )
    online = models.BooleanField(default=False)
    last_seen = models.DateTimeField(null=True, blank=True)
    status_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["online"], name="camera_online")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.part.name}"

    @property
    def working(self) -> bool:
        """Online and the part sound: what coverage counts."""
        return self.online and self.part.state == "good"


class CameraStatus(models.Model):
    """Each change of a camera's online state, for its history and the SLA."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="statuses")
    online = models.BooleanField()
    at = models.DateTimeField()
    reason = models.CharField(max_length=50, blank=True)  # keepalive, silence, register …

    class Meta:
        ordering = ["-at"]


class CameraOutage(models.Model):
    """A camera's time offline, and the maintenance event it opened (once)."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="outages")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["camera"], condition=models.Q(ended_at=None), name="one_open_outage"
            )
        ]


class Device(models.Model):
    """What registered over GB/T 28181: a camera itself, or an NVR whose channels
    are cameras. A device no administrator has accepted is listed, never trusted:
    its keepalives change no camera."""

    device_id = models.CharField(max_length=20, unique=True)
    accepted = models.BooleanField(default=False)
    address = models.CharField(max_length=64, blank=True)  # source ip:port (NAT: not Contact)
    transport = models.CharField(max_length=3, default="UDP")
    registered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_keepalive = models.DateTimeField(null=True, blank=True)
    charset = models.CharField(max_length=10, default="GB18030")
    created_at = models.DateTimeField(auto_now_add=True)
    # What its DeviceInfo answer said.
    name = models.CharField(max_length=100, blank=True)
    manufacturer = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    firmware = models.CharField(max_length=60, blank=True)
    channel_count = models.PositiveIntegerField(null=True, blank=True)
    catalog_at = models.DateTimeField(null=True, blank=True)  # the last whole Catalog

    def __str__(self) -> str:
        return self.device_id


class Channel(models.Model):
    """One item of a device's last whole Catalog answer, as the device sent it. A
    channel of an accepted device becomes a camera where it says where it is (or a
    camera with its id was entered); the others wait for someone to place them."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="channels")
    channel_id = models.CharField(max_length=20)
    name = models.CharField(max_length=100, blank=True)
    manufacturer = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    owner = models.CharField(max_length=100, blank=True)
    civil_code = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    parent_id = models.CharField(max_length=20, blank=True)
    online = models.BooleanField(default=False)  # its Status: ON
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "channel_id"], name="channel_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.name}"


class AlarmMethod(models.IntegerChoices):
    PHONE = 1, _("电话报警")
    DEVICE = 2, _("设备报警")
    SMS = 3, _("短信报警")
    GPS = 4, _("GPS报警")
    VIDEO = 5, _("视频报警")
    FAULT = 6, _("设备故障报警")
    OTHER = 7, _("其他报警")


class Alarm(models.Model):
    """An Alarm notification as received, once (a device that repeats it, having
    missed our 200 OK, sends the same source, time and type), with the event it
    opened or joined."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="alarms")
    source_id = models.CharField(max_length=20)  # the alarm's DeviceID: a channel or input
    camera = models.ForeignKey(
        Camera, null=True, blank=True, on_delete=models.SET_NULL, related_name="alarms"
    )
    priority = models.PositiveSmallIntegerField(default=4)
    method = models.PositiveSmallIntegerField(choices=AlarmMethod.choices)
    kind = models.PositiveSmallIntegerField(default=0)  # Info/AlarmType, read with the method
    at = models.DateTimeField()
    description = models.CharField(max_length=200, blank=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["source_id", "at", "method", "kind"], name="alarm_once")
        ]


class PatrolPlan(models.Model):
    """视频巡查: which cameras are looked at, how often, by whom. A camera of the
    plan not looked at within `every_days` is due (the patrols page says so)."""

    name = models.CharField(max_length=100)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    region_path = PathField()
    cameras = models.ManyToManyField(Camera, related_name="plans")
    patrollers = models.ManyToManyField("accounts.User", related_name="patrol_plans")
    every_days = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
