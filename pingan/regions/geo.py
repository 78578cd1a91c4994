"""GeoJSON checks and the process-wide point → grid index."""

from __future__ import annotations

import threading
import time

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.geoindex import PolygonIndex
from pingan.regions.models import BoundaryVersion, Region

# Shared edges drawn by hand never line up exactly: ignore slivers below this share
# of a polygon's area when checking containment and overlap.
SLIVER = 1e-4


class InvalidBoundary(DomainError):
    """A boundary that is not usable; the message is Chinese and says which."""


def parse_boundary(geometry: object) -> BaseGeometry:
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise InvalidBoundary("边界不是合法的GeoJSON几何对象")
    if geometry["type"] not in {"Polygon", "MultiPolygon"}:
        raise InvalidBoundary(f"边界必须是Polygon或MultiPolygon，收到的是 {geometry['type']}")
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely raises several types for bad coordinates
        raise InvalidBoundary(f"边界坐标无法解析：{exc}") from None
    if polygon.is_empty or not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise InvalidBoundary(f"边界多边形无效（{reason}）")
    minx, miny, maxx, maxy = polygon.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidBoundary("边界坐标应为经纬度（经度-180–180，纬度-90–90）")
    return polygon


def check_inside(child: BaseGeometry, parent: BaseGeometry, child_name: str, parent_name: str):
    outside = child.difference(parent).area
    if outside > SLIVER * child.area:
        raise InvalidBoundary(f"{child_name}的边界超出了上级{parent_name}的范围")


def check_no_overlap(polygon: BaseGeometry, name: str, siblings: list[tuple[str, BaseGeometry]]):
    for sibling_name, sibling in siblings:
        if polygon.intersection(sibling).area > SLIVER * min(polygon.area, sibling.area):
            raise InvalidBoundary(f"{name}的边界与{sibling_name}重叠")


class _GridIndexCache:
    """Holds the index with the boundary version it was built at; rebuilt when the
    version in the database moves on. Another process's change is noticed within
    CHECK_SECONDS; this process's own change at once (BoundaryVersion.bump)."""

    CHECK_SECONDS = 2.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self._checked_at = 0.0
        self._index: PolygonIndex | None = None

    def get(self) -> PolygonIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self.CHECK_SECONDS:
            return self._index
        version = BoundaryVersion.current()
        with self._lock:
            if self._index is None or version != self._version:
                self._index = build_grid_index()
                self._version = version
            self._checked_at = now
        return self._index

    def invalidate(self) -> None:
        """Rebuild on the next lookup. Forgetting the version too matters: after a
        rolled-back change the number can come round again with other polygons."""
        self._checked_at = 0.0
        self._version = -1


def boundaries_changed() -> None:
    """After a change of any grid's boundary: every process's index goes stale (the
    version), this process's at once."""
    BoundaryVersion.bump()
    grid_index.invalidate()


def build_grid_index() -> PolygonIndex:
    rows = Region.objects.filter(level=Level.GRID, active=True, boundary__isnull=False)
    pairs = [
        (code, parse_boundary(boundary)) for code, boundary in rows.values_list("code", "boundary")
    ]
    return PolygonIndex([code for code, _ in pairs], [poly for _, poly in pairs])


grid_index = _GridIndexCache()


def locate(lng: float, lat: float) -> Region | None:
    """The grid containing the point, or None when it lies outside every grid."""
    code = grid_index.get().locate(lng, lat)
    return Region.objects.defer("boundary").get(code=code) if code else None
