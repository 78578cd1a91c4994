"""The demo's 部件: a few hundred per township at plausible places inside each
grid (covers and street lamps most, then bins, trees, signs), each class kept by
the department that would keep it, a handful reported damaged by the grid's
worker, so their events are open in the queue."""

from __future__ import annotations

import random

from pingan.accounts.models import Department, Role, User
from pingan.demo import geometry
from pingan.regions.models import Region
from pingan.things import codes
from pingan.things.models import Part, PartChange, PartClass, PartSource
from pingan.things.services import part_report_damage

# Minor class and how many of it a grid has on average.
MIX = [
    ("0101", 3), ("0102", 2), ("0103", 2), ("0104", 1), ("0105", 1), ("0109", 1),
    ("0112", 5), ("0201", 1), ("0202", 2), ("0203", 1), ("0204", 1),
    ("0301", 4), ("0302", 1), ("0401", 3), ("0403", 1),
]  # fmt: skip
# Who keeps each major class (the demo's departments); water covers the 水利局.
KEEPERS = {"01": "cg", "02": "jt", "03": "cg", "04": "cg", "05": "zj", "06": "cg"}
WATER = {"0101", "0102", "0103", "0104"}
# Classes kept by someone other than their major class's keeper: the water covers
# by the 水利局, the cameras (雪亮工程) by the police.
KEEPER_OF = {**dict.fromkeys(WATER, "sl"), "0601": "ga"}
DAMAGED_SHARE = 0.01
# What the grid worker writes, by what is broken.
COVER = ["井盖松动，车辆经过有异响", "井盖边缘碎裂，有行人踩空的危险", "井盖下沉，路面不平"]
SAID = {
    **dict.fromkeys(["0101", "0102", "0103", "0104", "0105"], COVER),
    "0112": ["路灯夜间不亮", "灯杆倾斜"],
    "0109": ["消防栓漏水", "消防栓被车辆撞歪"],
    "0301": ["垃圾箱破损，垃圾外溢", "垃圾箱被挪走"],
    "other": ["破损，需维修", "被车辆撞坏"],
}
LINE_METRES = 120


def build(grids: list[Region], rng: random.Random) -> dict[str, int]:
    if not grids:
        return {"parts": 0, "parts_damaged": 0}
    _keepers(grids[0].code[:6])
    classes = {c.code: c for c in PartClass.objects.filter(code__in=[c for c, _ in MIX])}
    planned: list[tuple[PartClass, Region, float, float]] = []
    for grid in grids:
        area = geometry.shapely_shape(grid.boundary or {})
        if area.is_empty:
            continue
        wanted = [(classes[code], max(0, round(rng.gauss(mean, mean / 2)))) for code, mean in MIX]
        count = sum(n for _, n in wanted)
        points = iter(geometry.random_points(area, count, rng)) if count else iter(())
        for part_class, n in wanted:
            for _ in range(n):
                lng, lat = next(points)
                planned.append((part_class, grid, float(lng), float(lat)))
    parts = _store(planned, rng)
    damaged = _damage(parts, rng)
    return {"parts": len(parts), "parts_damaged": damaged}


def _keepers(county: str) -> None:
    departments = {d.code: d for d in Department.objects.filter(code__startswith=f"{county}-")}
    for part_class in PartClass.objects.all():
        keeper = KEEPER_OF.get(part_class.code) or KEEPERS.get(part_class.code[:2], "cg")
        part_class.maintainer = departments[f"{county}-{keeper}"]
        part_class.save(update_fields=["maintainer"])


def _store(planned: list, rng: random.Random) -> list[Part]:
    by_class: dict[tuple[str, str], list] = {}
    for item in planned:
        by_class.setdefault((item[1].code[:6], item[0].code), []).append(item)
    parts: list[Part] = []
    for (county, class_code), items in sorted(by_class.items()):
        for code, (part_class, grid, lng, lat) in zip(
            codes.next_codes(county, class_code, len(items)), items, strict=True
        ):
            parts.append(
                Part(
                    code=code,
                    part_class=part_class,
                    name=part_class.name,
                    lng=lng,
                    lat=lat,
                    line=_line(lng, lat, rng) if part_class.line else None,
                    grid=grid,
                    region_path=grid.path,
                    maintainer=part_class.maintainer,
                    attributes=_attributes(part_class, rng),
                    source=PartSource.SURVEYED,
                )
            )
    Part.objects.bulk_create(parts, batch_size=2000)
    stored = list(Part.objects.order_by("id"))
    PartChange.objects.bulk_create(
        (PartChange(part=p, what="create", changes={"code": [None, p.code]}) for p in stored),
        batch_size=2000,
    )
    return stored


def _line(lng: float, lat: float, rng: random.Random) -> list[list[float]]:
    step = LINE_METRES / 111_000
    return [[lng, lat], [lng + step * rng.uniform(0.5, 1), lat + step * rng.uniform(-0.3, 0.3)]]


def _attributes(part_class: PartClass, rng: random.Random) -> dict:
    values = {}
    for field in part_class.fields:
        if field["type"] == "choice":
            values[field["key"]] = rng.choice(field["choices"])[0]
        elif field["type"] == "number":
            values[field["key"]] = round(rng.uniform(6, 12), 1)
    return values


def _damage(parts: list[Part], rng: random.Random) -> int:
    """Reported through the service, as a grid worker would: event, routing, state."""
    workers = {u.region_id: u for u in User.objects.filter(role=Role.GRID_WORKER, is_active=True)}
    chosen = [p for p in parts if p.grid_id in workers and rng.random() < DAMAGED_SHARE]
    for part in chosen:
        part_report_damage(
            actor=workers[part.grid_id],
            part=part,
            description=rng.choice(SAID.get(part.part_class.code, SAID["other"])),
        )
    return len(chosen)
