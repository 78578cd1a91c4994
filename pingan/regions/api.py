from __future__ import annotations

import json

from django.http import Http404
from ninja import Router, Schema
from ninja.responses import Status

from pingan.accounts.models import User
from pingan.regions import selectors, services
from pingan.regions.geo import locate
from pingan.regions.geojson import ImportFailed, feature, import_tree
from pingan.regions.models import Region

router = Router(tags=["regions"])


def json_body(request) -> object:
    """GeoJSON bodies are read as they are; shapely and the services check them."""
    try:
        return json.loads(request.body or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise services.RegionError("请求体不是有效的JSON") from None


class RegionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    path: str
    parent_code: str | None
    grid_type: str
    household_count: int
    leader: str | None

    @staticmethod
    def resolve_parent_code(obj: Region) -> str | None:
        return obj.parent.code if obj.parent_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_leader(obj: Region) -> str | None:
        return obj.leader.username if obj.leader_id else None  # type: ignore[union-attr]


class LocateOut(Schema):
    found: bool
    message: str
    grid: RegionOut | None = None
    chain: list[RegionOut] = []


class GridPatch(Schema):
    name: str | None = None
    grid_type: str | None = None
    household_count: int | None = None
    village_group: str | None = None
    leader: str | None = None
    reason: str = ""


class ImportOut(Schema):
    created: int
    updated: int


# Registered before /regions/{code}, which would otherwise take the path.
@router.post("/regions/import", response={200: ImportOut, 422: dict})
def region_import(request):
    """Add or update nodes from a FeatureCollection: all or nothing. On failure the
    answer lists every bad feature."""
    try:
        result = import_tree(json_body(request), actor=request.user)
    except ImportFailed as failure:
        error = {"code": "invalid", "message": str(failure), "details": failure.errors}
        return Status(422, {"error": error})
    return ImportOut(created=result.created, updated=result.updated)


@router.get("/regions/{code}", response=RegionOut)
def region_detail(request, code: str):
    return selectors.region_get_for_user(request.user, code)


@router.get("/regions/{code}/children", response=list[RegionOut])
def region_children(request, code: str):
    region = selectors.region_get_for_user(request.user, code)
    return (
        selectors.regions_for_user(request.user)
        .filter(parent=region)
        .select_related("parent", "leader")
    )


@router.get("/regions/{code}/geojson")
def region_geojson(request, code: str, depth: int = 1):
    """The node and its descendants down to `depth` levels, as GeoJSON."""
    region = selectors.region_get_for_user(request.user, code)
    nodes = selectors.regions_for_user(request.user).filter(path__startswith=region.path)
    max_segments = region.path.count("/") + max(0, min(depth, 3))
    features = [
        feature(node)
        for node in nodes.select_related("parent").order_by("path")
        if node.path.count("/") <= max_segments
    ]
    return {"type": "FeatureCollection", "features": features}


@router.get("/grids", response=list[RegionOut])
def grid_search(request, q: str = ""):
    return selectors.grid_search(request.user, q)


@router.get("/locate", response=LocateOut)
def grid_locate(request, lng: float, lat: float):
    grid = locate(lng, lat)
    if grid is None:
        return LocateOut(found=False, message="该位置不在任何网格内")
    try:
        visible = selectors.region_get_for_user(request.user, grid.code)
    except Http404:
        return LocateOut(found=True, message="该位置位于您无权查看的网格内")
    return {"found": True, "message": "", "grid": visible, "chain": visible.ancestors()}


@router.patch("/grids/{code}", response=RegionOut)
def grid_patch(request, code: str, payload: GridPatch):
    grid = selectors.region_get_for_user(request.user, code, write=True)
    changes = payload.dict(exclude_unset=True, exclude={"reason"})
    if "leader" in changes:
        changes["leader"] = _staff(changes["leader"])
    return services.grid_update(
        actor=request.user, grid=grid, changes=changes, reason=payload.reason
    )


@router.put("/regions/{code}/boundary", response=RegionOut)
def region_boundary(request, code: str):
    """Replace a node's boundary with a GeoJSON Polygon or MultiPolygon."""
    region = selectors.region_get_for_user(request.user, code, write=True)
    geometry = json_body(request)
    return services.region_set_boundary(actor=request.user, region=region, geometry=geometry)


def _staff(username: str | None) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise services.RegionError(f"没有用户 {username}")
    return user
