"""Point → polygon lookup over an STRtree of prepared polygons (shapely 2).

The index is immutable: when boundaries change, build a new one and swap it in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

PARALLEL_FROM = 20_000


class PolygonIndex:
    def __init__(self, keys: Sequence[str], polygons: Sequence[BaseGeometry]):
        self.keys = np.asarray(list(keys), dtype=object)
        self.polygons = np.asarray(list(polygons), dtype=object)
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)

    def __len__(self) -> int:
        return len(self.keys)

    def locate(self, lng: float, lat: float) -> str | None:
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        return self.keys[hits.min()] if len(hits) else None

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray, *, threads: int = 0) -> np.ndarray:
        """Keys for many points at once (None where a point is outside every polygon).
        On a shared edge the polygon that comes first wins, as in locate().

        shapely releases the GIL, so large batches are split across `threads`
        (default: one per core)."""
        threads = threads or min(4, os.cpu_count() or 1)
        if threads == 1 or len(lngs) < PARALLEL_FROM:
            return self._locate_chunk(lngs, lats)
        bounds = np.linspace(0, len(lngs), threads + 1, dtype=int)
        chunks = [(lngs[a:b], lats[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        with ThreadPoolExecutor(threads) as pool:
            return np.concatenate(list(pool.map(lambda c: self._locate_chunk(*c), chunks)))

    def _locate_chunk(self, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
        points = shapely.points(lngs, lats)
        point_idx, poly_idx = self.tree.query(points, predicate="intersects")
        missing = len(self.keys)
        found = np.full(len(points), missing, dtype=np.int64)
        # A point on a shared edge hits two polygons: keep the lowest index, as locate() does.
        np.minimum.at(found, point_idx, poly_idx)
        result = np.full(len(points), None, dtype=object)
        inside = found < missing
        result[inside] = self.keys[found[inside]]
        return result

    def overlaps(self, tolerance: float = 1e-4) -> list[tuple[str, str]]:
        """Pairs of polygons that share more than `tolerance` of the smaller one's
        area. Shared edges, and the float slivers along them, do not count."""
        left, right = self.tree.query(self.polygons, predicate="intersects")
        pairs = set()
        for a, b in zip(left, right, strict=True):
            if a >= b:
                continue
            first, second = self.polygons[a], self.polygons[b]
            shared = shapely.intersection(first, second).area
            if shared > tolerance * min(first.area, second.area):
                pairs.add((min(self.keys[a], self.keys[b]), max(self.keys[a], self.keys[b])))
        return sorted(pairs)
