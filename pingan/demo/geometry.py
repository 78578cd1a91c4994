"""Plausible boundaries for the demo: real ones are not public. Areas are split
into cells by a relaxed Voronoi diagram, so children tile their parent exactly."""

from __future__ import annotations

import random

import numpy as np
import shapely
import shapely.geometry
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry


def district_outline(center: tuple[float, float], rng: random.Random) -> Polygon:
    """An irregular 14-gon about 36 km by 26 km, the size of 平安区."""
    lng0, lat0 = center
    corners = []
    for i in range(14):
        angle = 2 * np.pi * i / 14
        radius = rng.uniform(0.85, 1.1)
        corners.append((lng0 + 0.2 * radius * np.cos(angle), lat0 + 0.12 * radius * np.sin(angle)))
    return Polygon(corners)


def random_points(area: BaseGeometry, count: int, rng: random.Random) -> np.ndarray:
    """`count` points uniformly inside `area` (rejection sampling in its bounds)."""
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)
    found: list[np.ndarray] = []
    total = 0
    np_rng = np.random.default_rng(rng.randrange(2**32))
    while total < count:
        batch = max(64, (count - total) * 3)
        xs = np_rng.uniform(minx, maxx, batch)
        ys = np_rng.uniform(miny, maxy, batch)
        keep = shapely.contains_xy(area, xs, ys)
        chosen = np.column_stack([xs[keep], ys[keep]])
        found.append(chosen)
        total += len(chosen)
    return np.concatenate(found)[:count]


def split(area: BaseGeometry, count: int, rng: random.Random, relax: int = 2) -> list[BaseGeometry]:
    """`count` cells that tile `area`, ordered north→south then west→east."""
    if count == 1:
        return [area]
    seeds = random_points(area, count, rng)
    cells: list[BaseGeometry] = []
    for _ in range(relax + 1):
        diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=area, ordered=True)
        cells = [cell.intersection(area) for cell in shapely.get_parts(diagram)]
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    cells = [cell for cell in cells if not cell.is_empty]
    return sorted(cells, key=lambda c: (-round(c.centroid.y, 3), c.centroid.x))


def shapely_shape(geojson: dict) -> BaseGeometry:
    return shapely.geometry.shape(geojson)
