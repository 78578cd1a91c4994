"""The demo's 雪亮工程: about 600 cameras. Every village has one at its entrance
(a few have none, so coverage has gaps to show); every school one at its gate;
the rest watch roads. A few are offline. The first eight are accepted GB/T 28181
devices, for scripts/gb28181_devices.py to bring online."""

from __future__ import annotations

import random

from django.utils import timezone

from pingan.accounts.models import User
from pingan.demo import geometry
from pingan.fieldwork.models import Kind, WorkRecord
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.registry.codes import PlaceKind
from pingan.registry.models import Place
from pingan.video.models import Camera, Device, PatrolPlan
from pingan.video.services import camera_create, camera_status

TOTAL = 600  # the district's; a smaller demo district gets two a grid at most
UNCOVERED_VILLAGES = 0.04  # villages still without a camera
OFFLINE = 0.03
SIMULATED = 8  # cameras whose devices the demo has accepted (the simulator plays them)


def build(district: Region, grids: list[Region], rng: random.Random) -> dict[str, int]:
    serial = iter(range(1, 100_000))

    def device() -> str:
        return f"{district.code[:6]}0000132{0}{next(serial):06d}"

    made = []
    villages = Region.objects.filter(level=Level.VILLAGE, path__startswith=district.path)
    for village in villages.order_by("path"):
        if rng.random() < UNCOVERED_VILLAGES:
            continue
        first = village.children.filter(active=True).exclude(boundary=None).order_by("code").first()
        if first is not None:
            made.append(_camera(device(), first, "entrance", f"{village.name}村口", rng))
    for school in Place.objects.filter(kind=PlaceKind.SCHOOL).select_related("grid"):
        made.append(_camera(device(), school.grid, "school", f"{school.name}校门", rng))
    while len(made) < min(TOTAL, 2 * len(grids)):
        made.append(_camera(device(), rng.choice(grids), "road", "道路监控", rng))
    now = timezone.now()
    for camera in made:
        camera_status(camera, rng.random() >= OFFLINE, reason="演示数据", at=now)
    for camera in made[:SIMULATED]:
        camera.via = Device.objects.create(device_id=camera.device_id, accepted=True)
        camera.save(update_fields=["via"])
    return {
        "cameras": len(made),
        "cameras_offline": Camera.objects.filter(online=False).count(),
        "patrols": _patrol_history(district, made, rng),
    }


def _patrol_history(district: Region, made: list[Camera], rng: random.Random) -> int:
    """The grid workers' demo video checks (fieldwork) name real cameras, of their
    grid where it has one; and the district centre plans a daily look at the
    school gates."""
    by_grid: dict[int, list[Camera]] = {}
    for camera in made:
        by_grid.setdefault(camera.part.grid_id, []).append(camera)
    checks = list(WorkRecord.objects.filter(kind=Kind.VIDEO))
    for record in checks:
        camera = rng.choice(by_grid.get(record.grid_id) or made)
        record.findings = {"camera": camera.device_id}
    WorkRecord.objects.bulk_update(checks, ["findings"], batch_size=1000)
    dispatcher = User.objects.filter(username="zhihui").first()
    schools = [c for c in made if c.use == "school"]
    if dispatcher is not None and schools:
        plan = PatrolPlan.objects.create(
            name="校园周边每日视频巡查",
            region=district,
            region_path=district.path,
            every_days=1,
            created_by=dispatcher,
        )
        plan.cameras.set(schools)
        plan.patrollers.set([dispatcher])
    return len(checks)


def _camera(device_id: str, grid: Region, use: str, name: str, rng: random.Random) -> Camera:
    area = geometry.shapely_shape(grid.boundary or {})
    lng, lat = (float(v) for v in geometry.random_points(area, 1, rng)[0])
    return camera_create(
        actor=None,
        device_id=device_id,
        lng=lng,
        lat=lat,
        name=name,
        use=use,
        direction=rng.randrange(0, 360),
        view_angle=rng.choice([60, 90, 360]),
        view_range=rng.choice([60, 80, 120]),
    )
