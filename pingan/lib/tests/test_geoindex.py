import numpy as np
from shapely.geometry import box

from pingan.lib.geoindex import PolygonIndex


def grid_index(n=10):
    keys = [f"g{x}{y}" for x in range(n) for y in range(n)]
    polygons = [box(x, y, x + 1, y + 1) for x in range(n) for y in range(n)]
    return PolygonIndex(keys, polygons)


def test_it_finds_the_polygon_containing_a_point():
    assert grid_index().locate(3.5, 7.5) == "g37"


def test_a_point_outside_every_polygon_gives_none():
    assert grid_index().locate(-1, 50) is None


def test_bulk_lookup_agrees_with_single_lookup():
    index = grid_index()
    rng = np.random.default_rng(7)
    lngs, lats = rng.uniform(-1, 11, 500), rng.uniform(-1, 11, 500)
    bulk = index.locate_many(lngs, lats)
    assert list(bulk) == [index.locate(x, y) for x, y in zip(lngs, lats, strict=True)]


def test_it_reports_overlapping_polygons_but_not_neighbours():
    index = PolygonIndex(["a", "b", "c"], [box(0, 0, 2, 2), box(1, 1, 3, 3), box(2, -1, 4, 0)])
    assert index.overlaps() == [("a", "b")]


def test_threaded_bulk_lookup_gives_the_same_answer():
    index = grid_index()
    rng = np.random.default_rng(8)
    lngs, lats = rng.uniform(-1, 11, 30_000), rng.uniform(-1, 11, 30_000)
    assert (
        index.locate_many(lngs, lats, threads=2) == index.locate_many(lngs, lats, threads=1)
    ).all()
