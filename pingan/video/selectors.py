"""Reads of the camera network, scoped through the parts they are: a user's
cameras, a camera, their map layer (each camera a point and its view as a
sector), and coverage: 乡村两级技防全覆盖 as the share of villages with a working
camera, and the villages and schools without one."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.lib.divisions import Level, ancestor_path
from pingan.regions.models import Region
from pingan.registry.codes import PlaceKind
from pingan.registry.models import Place
from pingan.video.models import Camera, PatrolPlan

ARC_STEPS = 12  # points along a sector's arc
METRES_PER_DEGREE = 111_320
WORKING = Q(online=True, part__state="good")


def cameras_for_user(user: User) -> QuerySet[Camera]:
    return access.scope(user, Camera.objects.all(), field="part__region_path")


def camera_get_for_user(user: User, device_id: str) -> Camera:
    camera = (
        cameras_for_user(user)
        .filter(device_id=device_id)
        .select_related("part__grid__parent", "part__maintainer", "part__part_class")
        .first()
    )
    if camera is None:
        raise Http404("没有找到该摄像机，或无权查看")
    return camera


def sector(lng: float, lat: float, direction: int, angle: int, metres: int) -> list[list[float]]:
    """The camera's view as a closed ring: from the camera out to its range, across
    its angle centred on its direction (degrees from north, clockwise)."""
    north = metres / METRES_PER_DEGREE
    east = north / max(math.cos(math.radians(lat)), 0.01)
    start = direction - angle / 2
    arc = [
        [
            round(lng + east * math.sin(math.radians(start + angle * i / ARC_STEPS)), 6),
            round(lat + north * math.cos(math.radians(start + angle * i / ARC_STEPS)), 6),
        ]
        for i in range(ARC_STEPS + 1)
    ]
    return [[lng, lat], *arc, [lng, lat]] if angle < 360 else [*arc, arc[0]]


def geojson(user: User, *, under: str = "", use: str = "", sectors: bool = False) -> str:
    """The layer as GeoJSON text: each camera a point carrying its view (direction,
    angle, range), which the map draws as a sector itself. Written out row by row
    rather than built as dicts and encoded: at 10,000 cameras that is most of the
    time (and of the garbage collector's work) saved. `sectors`: the views as
    polygons too, for a GIS that cannot draw them."""
    cameras = cameras_for_user(user)
    if under:
        cameras = cameras.filter(part__region_path__startswith=under)
    if use:
        cameras = cameras.filter(use=use)
    rows = cameras.values_list(
        "device_id", "part__name", "part__lng", "part__lat", "direction", "view_angle",
        "view_range", "online", "part__state",
    )  # fmt: skip
    features = []
    for device, name, lng, lat, direction, angle, metres, online, state in rows:
        # 6 decimals are 0.1 m. The id is 20 digits; the name is escaped by json.
        properties = (
            f'"device_id":"{device}","name":{json.dumps(name, ensure_ascii=False)},'
            f'"working":{_bool(online and state == "good")},"online":{_bool(online)},'
            f'"direction":{direction},"view_angle":{angle},"view_range":{metres}'
        )
        features.append(
            f'{{"type":"Feature","geometry":{{"type":"Point","coordinates":[{lng:.6f},{lat:.6f}]}},'
            f'"properties":{{{properties}}}}}'
        )
        if sectors:
            ring = json.dumps([sector(lng, lat, direction, angle, metres)])
            features.append(
                f'{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":{ring}}},'
                f'"properties":{{{properties},"shape":"view"}}}}'
            )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class Area:
    name: str
    code: str
    cameras: int
    working: int


@dataclass
class Coverage:
    townships: list[Area]
    villages: list[Area]
    villages_without: list[Area]
    schools_without: list[Place]

    @property
    def villages_covered(self) -> int:
        return sum(1 for v in self.villages if v.working)

    @property
    def share(self) -> float | None:
        """乡村两级技防全覆盖: the share of villages with a working camera."""
        return self.villages_covered / len(self.villages) if self.villages else None


def coverage(user: User) -> Coverage:
    cameras = cameras_for_user(user)
    counts: dict[str, list[int]] = {}
    rows = cameras.values_list("part__region_path").annotate(
        n=Count("id"), sound=Count("id", filter=WORKING)
    )
    for path, n, working in rows:
        for level in (Level.TOWNSHIP, Level.VILLAGE):
            entry = counts.setdefault(ancestor_path(path, level), [0, 0])
            entry[0] += n
            entry[1] += working
    areas = access.scope(user, Region.objects.filter(active=True), field="path").defer("boundary")
    by_level = {
        level: [
            Area(r.name, r.code, *counts.get(r.path, [0, 0]))
            for r in areas.filter(level=level).order_by("path")
        ]
        for level in (Level.TOWNSHIP, Level.VILLAGE)
    }
    working_grids = set(cameras.filter(WORKING).values_list("part__grid_id", flat=True))
    schools = access.scope(user, Place.objects.filter(kind=PlaceKind.SCHOOL))
    return Coverage(
        townships=by_level[Level.TOWNSHIP],
        villages=by_level[Level.VILLAGE],
        villages_without=[v for v in by_level[Level.VILLAGE] if not v.working],
        schools_without=list(
            schools.exclude(grid_id__in=working_grids).select_related("grid").order_by("name")
        ),
    )


def covering(lng: float, lat: float, user: User) -> list[Camera]:
    """The cameras whose view takes in the point: within range and inside the
    angle (an event's page lists them)."""
    near = METRES_PER_DEGREE
    box = 2000 / near
    found = []
    candidates = cameras_for_user(user).filter(
        part__lng__range=(lng - 2 * box, lng + 2 * box),
        part__lat__range=(lat - box, lat + box),
    )
    for camera in candidates.select_related("part"):
        if _sees(camera, lng, lat):
            found.append(camera)
    return found


def _sees(camera: Camera, lng: float, lat: float) -> bool:
    dy = (lat - camera.part.lat) * METRES_PER_DEGREE
    dx = (lng - camera.part.lng) * METRES_PER_DEGREE * math.cos(math.radians(lat))
    if math.hypot(dx, dy) > camera.view_range:
        return False
    if camera.view_angle >= 360:
        return True
    bearing = math.degrees(math.atan2(dx, dy)) % 360
    off = abs((bearing - camera.direction + 180) % 360 - 180)
    return off <= camera.view_angle / 2


def cameras_panel(user: User, event) -> tuple[str, list[tuple[str, str]]]:
    """An event's page: the cameras whose view takes in its place."""
    from django.urls import reverse

    seen = covering(event.lng, event.lat, user)
    return (
        "覆盖此处的摄像机",
        [
            (
                f"{c.part.name} {c.device_id}{'' if c.working else '（离线或损坏）'}",
                reverse("video:camera", args=[c.device_id]),
            )
            for c in seen
        ],
    )


# ---- 视频巡查 ------------------------------------------------------------------


def patrols_of_camera(user: User, camera: Camera) -> list:
    from pingan.fieldwork.models import Kind
    from pingan.fieldwork.selectors import work_for_user

    found = work_for_user(user).filter(kind=Kind.VIDEO, findings__camera=camera.device_id)
    return list(found.select_related("by").prefetch_related("events", "photos")[:30])


def plans_for_user(user: User) -> QuerySet[PatrolPlan]:
    return access.scope(user, PatrolPlan.objects.filter(active=True))


@dataclass
class PlanState:
    plan: PatrolPlan
    cameras: int
    due: list[tuple[Camera, dt.datetime | None]]  # not looked at within the plan's days


def plan_states(user: User, now: dt.datetime) -> list[PlanState]:
    """Each plan with its cameras that are due: never patrolled, or last patrolled
    longer ago than the plan's days."""
    from pingan.fieldwork.models import Kind, WorkRecord

    states = []
    for plan in plans_for_user(user).prefetch_related("cameras__part", "patrollers"):
        cameras = list(plan.cameras.all())
        last = _by_camera(
            WorkRecord.objects.filter(
                kind=Kind.VIDEO, findings__camera__in=[c.device_id for c in cameras]
            )
            .values_list("findings__camera")
            .annotate(last=Max("at"))
        )
        limit = now - dt.timedelta(days=plan.every_days)
        due = [
            (c, last.get(c.device_id))
            for c in cameras
            if last.get(c.device_id) is None or last[c.device_id] < limit
        ]
        states.append(PlanState(plan, len(cameras), due))
    return states


@dataclass
class PatrolCounts:
    by_camera: list[tuple[str, str, int]]  # device id, name, patrols
    by_person: list[tuple[str, int]]  # who, patrols
    total: int
    findings: int


def patrol_counts(user: User, since: dt.datetime) -> PatrolCounts:
    """Patrols in the user's area since a moment, per camera and per person: the
    seed's 视频监控查看 figure, counted from the fieldwork rows themselves."""
    from pingan.fieldwork.models import Kind
    from pingan.fieldwork.selectors import work_for_user

    patrols = work_for_user(user).filter(kind=Kind.VIDEO, at__gte=since)
    per_camera = _by_camera(
        patrols.values_list("findings__camera").annotate(n=Count("id")).order_by()
    )
    names = dict(
        Camera.objects.filter(device_id__in=list(per_camera)).values_list("device_id", "part__name")
    )
    by_person = patrols.values_list("by__username").annotate(n=Count("id")).order_by("-n")
    return PatrolCounts(
        by_camera=sorted(
            ((d, names.get(d, "—"), n) for d, n in per_camera.items()), key=lambda r: -r[2]
        ),
        by_person=list(by_person),
        total=patrols.count(),
        findings=patrols.filter(events__isnull=False).distinct().count(),
    )


def _by_camera(rows) -> dict:
    """Keyed by device id as text: SQLite's JSON reads a 20-digit id back as a number."""
    return {str(device): value for device, value in rows}
