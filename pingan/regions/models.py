from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from pingan.lib.divisions import LABELS, Level, ancestor_paths
from pingan.lib.fields import PathField

# The level names again, marked for translation (lib/divisions stays free of Django).
LEVEL_NAMES = {
    Level.PROVINCE: _("省"),
    Level.CITY: _("市（州）"),
    Level.DISTRICT: _("区县"),
    Level.TOWNSHIP: _("乡镇/街道"),
    Level.VILLAGE: _("村/社区"),
    Level.GRID: _("网格"),
}


class GridType(models.TextChoices):
    BASIC = "basic", _("基础网格")
    DEDICATED = "dedicated", _("专属网格")


class Region(models.Model):
    """One node of 区县 → 乡镇/街道 → 村/社区 → 网格."""

    level = models.CharField(max_length=10, choices=[(lvl.value, LABELS[lvl]) for lvl in Level])
    code = models.CharField(max_length=15, unique=True)
    name = models.CharField(max_length=100, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = PathField(unique=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry")
    grid_type = models.CharField(max_length=10, choices=GridType.choices, blank=True)
    household_count = models.PositiveIntegerField(default=0)
    village_group = models.CharField("自然村", max_length=100, blank=True)
    # Where the node's centre (and a village's 便民服务站) receives people.
    office_address = models.CharField("办公地址", max_length=200, blank=True)
    office_phone = models.CharField("联系电话", max_length=30, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_grids",
    )
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "active"], name="region_level_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def level_label(self) -> str:
        return str(LEVEL_NAMES[Level(self.level)])

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    def inner_point(self) -> tuple[float, float]:
        """(lng, lat) of a point surely inside the node's boundary: where a report
        without a location is put, the middle of a grid for a map."""
        point = shape(self.boundary).representative_point()
        return point.x, point.y

    def ancestors(self) -> list[Region]:
        """From the root (the province, the city or the district) down to the
        parent, in one query."""
        paths = ancestor_paths(self.path)[:-1]
        return list(Region.objects.filter(path__in=paths).order_by("path"))


class BoundaryVersion(models.Model):
    """One row; its number goes up whenever any boundary changes, so every process
    knows when its in-memory point index is stale."""

    version = models.PositiveBigIntegerField(default=0)

    @classmethod
    def current(cls) -> int:
        row = cls.objects.filter(pk=1).values_list("version", flat=True).first()
        return row or 0

    @classmethod
    def bump(cls) -> None:
        """The number only; geo.boundaries_changed also drops this process's index."""
        updated = cls.objects.filter(pk=1).update(version=F("version") + 1)
        if not updated:
            cls.objects.get_or_create(pk=1, defaults={"version": 1})
