"""The demo's fieldwork: half a year of visits, inspections, comprehensive work,
video checks and patrols by every grid's worker (in the proportions of the seed's
district: 1,134 inspections, 1,463 work records, 1,000+ video checks), places to
inspect in wangge's grid with one inspection assigned, and some of wangge's
households left unvisited long enough to show as tasks."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from shapely.geometry import shape

from pingan.accounts.models import Role, User
from pingan.demo.geometry import random_points
from pingan.fieldwork.models import InspectionTask, Kind, WorkRecord
from pingan.fieldwork.services import checklists
from pingan.regions.models import Region
from pingan.registry.codes import PlaceKind
from pingan.registry.models import Household, Place

DAYS = 180
UNVISITED_SHARE = 0.33
PER_KIND = {
    Kind.VISIT: 2600,
    Kind.INSPECTION: 1134,
    Kind.GENERAL: 1463,
    Kind.VIDEO: 1020,
    Kind.PATROL: 320,
}
NOTES: dict[str, list[str]] = {
    Kind.VISIT: ["入户走访，了解家庭生产生活情况", "走访独居老人，询问身体状况", "宣传防诈骗知识"],
    Kind.INSPECTION: ["例行安全检查", "节前安全隐患排查"],
    Kind.GENERAL: ["协助开展人口信息核对", "参加村委会矛盾纠纷排查会", "张贴政策宣传资料"],
    Kind.VIDEO: ["查看路口监控，未发现异常", "视频巡查集贸市场"],
    Kind.PATROL: ["夜间治安巡逻", "节假日重点区域巡逻"],
}
WANGGE_PLACES = [
    (PlaceKind.VENUE, "三合宾馆"),
    (PlaceKind.VENUE, "三合镇网吧"),
    (PlaceKind.VENUE, "三合加油站"),
]


def build(grid_code: str, rng: random.Random, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    grid = Region.objects.get(code=grid_code)
    places = _wangge_places(grid, rng)
    workers = list(
        User.objects.filter(role=Role.GRID_WORKER, region__isnull=False).select_related("region")
    )
    households = _households_by_grid()
    records = [
        _record(kind, rng.choice(workers), households, rng, now)
        for kind, count in PER_KIND.items()
        for _ in range(count)
    ]
    wangge = User.objects.get(username="wangge")
    records += _wangge_visits(wangge, households.get(grid.pk, []), rng, now)
    WorkRecord.objects.bulk_create(records, batch_size=2000)
    cunju = User.objects.get(username="cunju")
    InspectionTask.objects.create(
        place=places[0],
        region_path=grid.path,
        assignee=wangge,
        assigned_by=cunju,
        due_on=timezone.localdate() + dt.timedelta(days=3),
        note="元旦前消防安全检查",
    )
    return {"work_records": len(records), "places_to_inspect": len(places)}


def _wangge_visits(wangge: User, homes: list, rng: random.Random, now) -> list[WorkRecord]:
    """wangge has visited about two households in three over the last four months,
    so the rest show as households not visited for 90 days."""
    visits = []
    for household_id, lng, lat in homes:
        if rng.random() >= UNVISITED_SHARE:
            visit = _record(
                Kind.VISIT, wangge, {wangge.region_id: [(household_id, lng, lat)]}, rng, now
            )
            visit.at = now - dt.timedelta(days=rng.random() * 120)
            visits.append(visit)
    return visits


def _wangge_places(grid: Region, rng: random.Random) -> list[Place]:
    points = random_points(shape(grid.boundary), len(WANGGE_PLACES), rng)
    return Place.objects.bulk_create(
        Place(
            grid=grid,
            region_path=grid.path,
            kind=kind,
            name=name,
            code=f"V{index + 1:04d}",
            address=f"{grid.name}{name}",
            lng=float(point[0]),
            lat=float(point[1]),
        )
        for index, ((kind, name), point) in enumerate(zip(WANGGE_PLACES, points, strict=True))
    )


def _households_by_grid() -> dict[int, list[tuple[int, float | None, float | None]]]:
    found: dict[int, list[tuple[int, float | None, float | None]]] = {}
    for pk, grid_id, lng, lat in Household.objects.values_list("id", "grid_id", "lng", "lat"):
        found.setdefault(grid_id, []).append((pk, lng, lat))
    return found


def _record(kind: str, worker: User, households: dict, rng: random.Random, now) -> WorkRecord:
    grid = worker.region
    at = now - dt.timedelta(days=rng.random() * DAYS, hours=rng.random() * 8)
    record = WorkRecord(
        kind=kind,
        by=worker,
        grid=grid,
        region_path=grid.path,  # type: ignore[union-attr]
        at=at,
        note=rng.choice(NOTES[kind]),
    )
    homes = households.get(worker.region_id) or []
    if kind == Kind.VISIT and homes:
        household_id, record.lng, record.lat = rng.choice(homes)
        record.household_id = household_id
        record.findings = {"needs": "无"} if rng.random() < 0.8 else {"difficulties": "缺少劳动力"}
    elif kind == Kind.VISIT:
        record.kind = Kind.GENERAL
    if kind == Kind.INSPECTION:
        items = checklists()[PlaceKind.VENUE]
        record.findings = {"checklist": {item["key"]: "ok" for item in items}}
    if kind == Kind.VIDEO:
        record.findings = {"camera": f"{grid.name[:6]}路口"}  # type: ignore[union-attr]
    if kind == Kind.PATROL:
        record.distance_m = rng.randint(800, 6000)
    return record
