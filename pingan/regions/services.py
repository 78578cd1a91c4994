"""Changes to the region tree. Each checks scope and shape, writes the journal,
and leaves the stored tree as it was when anything is wrong."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.lib import divisions
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.text import clean_name, clean_text, column_length
from pingan.regions import geo
from pingan.regions.geo import (
    InvalidBoundary,
    check_inside,
    check_no_overlap,
    parse_boundary,
)
from pingan.regions.models import GridType, Region


class RegionError(DomainError):
    """A change to the tree that cannot be made; the message is Chinese."""


def region_name(value: object) -> str:
    """A node's name as it may be stored: it is shown on every map and list."""
    return clean_name(value, label="名称", max_length=column_length(Region, "name"))


def path_for(level: Level, code: str, parent: Region | None) -> str:
    """A province or city is above the path (lib/divisions): its segment alone; a
    district starts the path whatever is above it."""
    if level in divisions.ABOVE_PATH:
        return divisions.segment(level, code)
    prefix = parent.path if parent and level != Level.DISTRICT else ""
    return f"{prefix}{divisions.segment(level, code)}/"


def region_create(
    *,
    actor: User | None,
    level: Level,
    code: str,
    name: str,
    parent: Region | None,
    boundary: dict | None = None,
    grid_type: str = "",
    household_count: int = 0,
    village_group: str = "",
    journal: bool = True,
) -> Region:
    _check_parent(level, parent)
    try:
        divisions.validate(
            level, code, parent.code if parent else None, Level(parent.level) if parent else None
        )
    except divisions.InvalidCode as exc:
        raise RegionError(str(exc)) from None
    if actor is not None and parent is not None:
        access.require_scope(actor, parent.path, write=True)
    if actor is not None and parent is None and not actor.is_superuser:
        raise access.OutOfScope("只有管理员可以新建区县")
    if Region.objects.filter(code=code).exists():
        raise RegionError(f"代码 {code} 已存在")
    name = region_name(name)
    region = Region(
        level=level,
        code=code,
        name=name,
        parent=parent,
        path=path_for(level, code, parent),
        grid_type=(grid_type or GridType.BASIC) if level == Level.GRID else "",
        household_count=household_count,
        village_group=village_group,
    )
    with transaction.atomic():
        if boundary is not None:
            region.boundary = _checked_boundary(region, boundary)
        region.save()
        if boundary is not None:
            geo.boundaries_changed()
        if journal:
            journal_write(
                actor=actor,
                action="region.create",
                object_type="region",
                object_id=code,
                region_path=region.path,
                data={"name": region.name, "level": level.value},
            )
    return region


# What a node may sit under: the level right above, and a district also directly
# under its province (省直辖县级行政单位). A province, city or district may be the
# root of an installation.
PARENT_LEVELS = {
    Level.PROVINCE: (),
    Level.CITY: (Level.PROVINCE,),
    Level.DISTRICT: (Level.CITY, Level.PROVINCE),
}


def _check_parent(level: Level, parent: Region | None) -> None:
    if level in PARENT_LEVELS:
        if parent is not None and Level(parent.level) not in PARENT_LEVELS[level]:
            raise RegionError(f"{divisions.LABELS[level]}不能直接属于{parent.level_label}")
        return
    if parent is None:
        raise RegionError(f"{divisions.LABELS[level]}必须有上级节点")
    if divisions.child_level(Level(parent.level)) != level:
        if level == Level.GRID:
            raise RegionError("网格必须属于一个村或社区")
        raise RegionError(f"{divisions.LABELS[level]}不能直接属于{parent.level_label}")


def _checked_boundary(region: Region, geometry: Any) -> dict:
    try:
        polygon = parse_boundary(geometry)
        if region.parent is not None and region.parent.boundary:
            parent_polygon = parse_boundary(region.parent.boundary)
            check_inside(polygon, parent_polygon, region.name, region.parent.name)
        check_no_overlap(polygon, region.name, _sibling_polygons(region))
    except InvalidBoundary as exc:
        raise RegionError(str(exc)) from None
    return dict(mapping(polygon))


def _sibling_polygons(region: Region) -> list[tuple[str, BaseGeometry]]:
    siblings = Region.objects.filter(
        parent=region.parent, level=region.level, active=True, boundary__isnull=False
    ).exclude(pk=region.pk)
    return [(s.name, parse_boundary(s.boundary)) for s in siblings]


GRID_FIELDS = {"name", "grid_type", "household_count", "village_group", "leader"}


def grid_update(*, actor: User, grid: Region, changes: dict[str, Any], reason: str = "") -> Region:
    access.require_scope(actor, grid.path, write=True)
    if grid.level != Level.GRID:
        raise RegionError("只能修改网格的这些属性")
    unknown = set(changes) - GRID_FIELDS
    if unknown:
        raise RegionError(f"不能修改的字段：{', '.join(sorted(unknown))}")
    if "grid_type" in changes and changes["grid_type"] not in GridType.values:
        raise RegionError("网格类型只能是基础网格或专属网格")
    if "name" in changes:
        changes = {**changes, "name": region_name(changes["name"])}
    if "village_group" in changes:
        group = clean_text(changes["village_group"], label="自然村", max_length=100)
        changes = {**changes, "village_group": group}
    if "household_count" in changes and int(changes["household_count"]) < 0:
        raise RegionError("户数不能为负数")
    leader = changes.get("leader")
    if leader is not None and not access.in_scope(leader, grid.path):
        raise RegionError("网格长必须是能看到该网格的工作人员")
    before = {field: _plain(getattr(grid, field)) for field in changes}
    with transaction.atomic():
        for field, value in changes.items():
            setattr(grid, field, value)
        grid.save()
        journal_write(
            actor=actor,
            action="grid.update",
            object_type="region",
            object_id=grid.code,
            region_path=grid.path,
            reason=reason,
            data={"before": before, "after": {f: _plain(getattr(grid, f)) for f in changes}},
        )
    return grid


def _plain(value: Any) -> Any:
    return getattr(value, "username", value)


def region_set_boundary(*, actor: User | None, region: Region, geometry: Any) -> Region:
    if actor is not None:
        access.require_scope(actor, region.path, write=True)
    with transaction.atomic():
        region.boundary = _checked_boundary(region, geometry)
        region.save(update_fields=["boundary", "updated_at"])
        geo.boundaries_changed()
        journal_write(
            actor=actor,
            action="region.boundary",
            object_type="region",
            object_id=region.code,
            region_path=region.path,
        )
    return region
