"""The region tree as a GeoJSON FeatureCollection, in and out.

Each feature's properties: level, code, name, parent_code, and for grids grid_type,
household_count, village_group. Import is all or nothing: every bad feature is
reported and nothing is stored unless all are good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.lib.divisions import TREE_ORDER, Level
from pingan.regions.models import Region
from pingan.regions.services import (
    RegionError,
    region_create,
    region_name,
    region_set_boundary,
)


def export_tree(root: Region) -> dict:
    nodes = Region.objects.filter(path__startswith=root.path, active=True).select_related("parent")
    return {
        "type": "FeatureCollection",
        "features": [feature(node) for node in nodes.order_by("path")],
    }


def feature(node: Region) -> dict:
    properties: dict[str, Any] = {
        "level": node.level,
        "code": node.code,
        "name": node.name,
        "parent_code": node.parent.code if node.parent else None,
    }
    if node.level == Level.GRID:
        properties |= {
            "grid_type": node.grid_type,
            "household_count": node.household_count,
            "village_group": node.village_group,
        }
    return {"type": "Feature", "geometry": node.boundary, "properties": properties}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} 处错误，未导入任何数据")
        self.errors = errors


def import_tree(data: Any, *, actor: User | None) -> ImportResult:
    features = _features(data)
    result = ImportResult()
    by_level = sorted(enumerate(features, 1), key=lambda item: _level_rank(item[1]))
    # Raising ImportFailed inside the outer block rolls back every feature stored.
    with transaction.atomic():
        for number, item in by_level:
            try:
                with transaction.atomic():
                    _import_one(item, actor, result)
            except (RegionError, PermissionDenied, KeyError, TypeError, ValueError) as exc:
                code = _props(item).get("code", "?")
                result.errors.append(f"第{number}个要素（{code}）：{_message(exc)}")
        if result.errors:
            raise ImportFailed(result.errors)
        journal_write(
            actor=actor,
            action="regions.import",
            object_type="region_tree",
            object_id="",
            data={"created": result.created, "updated": result.updated},
        )
    return result


def _features(data: Any) -> list[dict]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed(["文件不是GeoJSON FeatureCollection"])
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFailed(["FeatureCollection 缺少 features 列表"])
    return features


def _props(item: Any) -> dict:
    props = item.get("properties") if isinstance(item, dict) else None
    return props if isinstance(props, dict) else {}


def _level_rank(item: Any) -> int:
    level = str(_props(item).get("level"))
    return TREE_ORDER.index(Level(level)) if level in Level._value2member_map_ else 99


def _message(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"缺少属性 {exc.args[0]}"
    return str(exc)


def _import_one(item: dict, actor: User | None, result: ImportResult) -> None:
    props = _props(item)
    level_name = str(props.get("level"))
    if level_name not in Level._value2member_map_:
        raise RegionError(f"level 应为 {', '.join(v.value for v in Level)} 之一")
    level = Level(level_name)
    code, geometry = str(props["code"]), item.get("geometry")
    existing = Region.objects.filter(code=code).first()
    if existing is not None:
        if actor is not None:
            access.require_scope(actor, existing.path, write=True)
        existing.name = region_name(props.get("name") or existing.name)
        existing.save(update_fields=["name", "updated_at"])
        if geometry is not None:
            region_set_boundary(actor=actor, region=existing, geometry=geometry)
        result.updated += 1
        return
    parent_code = props.get("parent_code")
    parent = Region.objects.filter(code=str(parent_code)).first() if parent_code else None
    if parent_code and parent is None:
        raise RegionError(f"上级节点 {parent_code} 不存在")
    region_create(
        actor=actor,
        level=level,
        code=code,
        name=str(props["name"]),
        parent=parent,
        boundary=geometry,
        grid_type=str(props.get("grid_type") or ""),
        household_count=int(props.get("household_count") or 0),
        village_group=str(props.get("village_group") or ""),
        journal=False,
    )
    result.created += 1
