"""部件: the public facilities of a district (digital city management, GB/T 30428.2
and CJ/T 214 practice). Each part has a 16-digit code, county (6) + major class (2)
+ minor class (2) + serial (6), e.g. 6302030101000001 = 平安区 上水井盖 No. 1. The
class table is data an administrator extends, never code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.lib.fields import PathField


class PartGroup(models.Model):
    """A major class (大类): 01 公用设施 … 06 其他设施, and the event category its
    damage reports take."""

    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=50)
    category_code = models.CharField(max_length=8)  # an events Category code, e.g. CG05

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PartClass(models.Model):
    """A minor class (小类), with the attributes its parts carry and the department
    that maintains them by default."""

    code = models.CharField(max_length=4, unique=True)  # major + minor, e.g. 0101
    group = models.ForeignKey(PartGroup, on_delete=models.PROTECT, related_name="classes")
    name = models.CharField(max_length=50)
    # Extra attributes, each {"key", "label", "type" (text/number/choice), "choices"}.
    fields = models.JSONField(default=list, blank=True)
    maintainer = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line = models.BooleanField(default=False)  # drawn as a line (护栏, 管线), not a point
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PartState(models.TextChoices):
    GOOD = "good", _("完好")
    DAMAGED = "damaged", _("破损")
    LOST = "lost", _("丢失")
    OCCUPIED = "occupied", _("占用")
    SCRAPPED = "scrapped", _("废弃")


class PartSource(models.TextChoices):
    SURVEYED = "surveyed", _("实测")
    IMPORTED = "imported", _("导入")


class Part(models.Model):
    code = models.CharField(max_length=16, unique=True)
    part_class = models.ForeignKey(PartClass, on_delete=models.PROTECT, related_name="parts")
    name = models.CharField(max_length=100)
    lng = models.FloatField()
    lat = models.FloatField()
    # A line part's points, [[lng, lat], …]; lng/lat is then its first point.
    line = models.JSONField(null=True, blank=True)
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="parts")
    region_path = PathField()
    address = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(  # 主管部门
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holder = models.CharField(max_length=100, blank=True)  # 权属单位, often not a department
    maintainer = models.ForeignKey(  # 养护单位: who fixes it
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=PartState.choices, default=PartState.GOOD)
    attributes = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=10, choices=PartSource.choices, default=PartSource.SURVEYED
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["region_path", "id"], name="part_path"),
            models.Index(fields=["lng", "lat"], name="part_place"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PartSerial(models.Model):
    """The last serial given per county and class: a new part takes the next one,
    by a conditional update, and a code is never reused."""

    county = models.CharField(max_length=6)
    class_code = models.CharField(max_length=4)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county", "class_code"], name="part_serial_key")
        ]


class PartChange(models.Model):
    """A part's history: every change, field by field, old and new."""

    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    what = models.CharField(max_length=20)  # create, update, state, import
    changes = models.JSONField(default=dict)  # field: [old, new]
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class PartEvent(models.Model):
    """An event about a part: its damage reported, the part's state following it."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="events")
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="part_link")
    state = models.CharField(max_length=10, choices=PartState.choices)  # what was reported
    created_at = models.DateTimeField(auto_now_add=True)
