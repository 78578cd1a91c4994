"""Point → grid lookups per second over 5,000 grid polygons (a Voronoi tiling of a
district-sized area), in bulk and one at a time. Target: ≥ 1,000,000/s in bulk."""

from __future__ import annotations

import os
import random
import time

import numpy as np
from _setup import ROOT, report  # noqa: F401  (puts the project on sys.path)

from pingan.demo.geometry import district_outline, split
from pingan.lib.geoindex import PolygonIndex

GRIDS = 5_000
POINTS = 1_000_000


def main() -> None:
    rng = random.Random(1)
    started = time.perf_counter()
    outline = district_outline((102.05, 36.47), rng)
    cells = split(outline, GRIDS, rng, relax=1)
    build_started = time.perf_counter()
    index = PolygonIndex([f"g{i:05d}" for i in range(len(cells))], cells)
    build_seconds = time.perf_counter() - build_started
    minx, miny, maxx, maxy = outline.bounds
    np_rng = np.random.default_rng(2)
    lngs, lats = np_rng.uniform(minx, maxx, POINTS), np_rng.uniform(miny, maxy, POINTS)

    index.locate_many(lngs[:1000], lats[:1000])  # warm up
    bulk_started = time.perf_counter()
    found = index.locate_many(lngs, lats)
    bulk_seconds = time.perf_counter() - bulk_started
    one_thread_started = time.perf_counter()
    same = index.locate_many(lngs, lats, threads=1)
    one_thread_seconds = time.perf_counter() - one_thread_started
    assert (same == found).all()

    single = 50_000
    single_started = time.perf_counter()
    for x, y in zip(lngs[:single], lats[:single], strict=True):
        index.locate(x, y)
    single_seconds = time.perf_counter() - single_started

    inside = int(sum(1 for key in found if key is not None))
    report(
        {
            "bench": "point_lookup",
            "grids": len(cells),
            "points": POINTS,
            "points_inside": inside,
            "index_build_s": round(build_seconds, 3),
            "bulk_lookups_per_s": round(POINTS / bulk_seconds),
            "bulk_threads": min(4, os.cpu_count() or 1),
            "bulk_lookups_per_s_one_thread": round(POINTS / one_thread_seconds),
            "single_lookups_per_s": round(single / single_seconds),
            "single_lookup_us": round(single_seconds / single * 1e6, 2),
            "setup_s": round(build_started - started, 1),
        }
    )


if __name__ == "__main__":
    main()
