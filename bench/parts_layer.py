"""The 部件 map layer (/api/things/parts, GeoJSON through the real API view) for a
district centre at 10,000 and 50,000 parts: the whole layer, one class, one state,
and a township's bounding box. SQLite, and PostgreSQL when one is reachable.
Target (issue 17, the camera layer): p95 < 300 ms at 10,000."""

from __future__ import annotations

import random
import sys
import time

from _setup import django_setup, on_each_database, percentile, report

SIZES = (10_000, 50_000)
RUNS = 30
CLASSES = ["0101", "0102", "0112", "0301", "0401", "0601"]


def build_tree():
    from pingan.accounts.models import Role, User
    from pingan.regions.models import Region

    district = Region.objects.create(
        code="630203000000", name="平安区", level="district", path="630203/"
    )
    grids = []
    for t in range(8):
        t_code = f"630203{101 + t:03d}000"
        township = Region.objects.create(
            code=t_code,
            name=f"镇{t}",
            level="township",
            parent=district,
            path=f"630203/{t_code[:9]}/",
        )
        for g in range(40):
            code = f"{t_code[:9]}{200 + g // 4:03d}{g % 4 + 1:03d}"
            grids.append(
                Region.objects.create(
                    code=code,
                    name=f"网格{code}",
                    level="grid",
                    parent=township,
                    path=f"{township.path}{code}/",
                )
            )
    user = User.objects.create(username="zhihui", role=Role.DISTRICT_CENTRE, region=district)
    return user, grids


def fill(grids, count: int, first: int) -> None:
    from pingan.things.models import Part, PartClass

    classes = {c.code: c for c in PartClass.objects.filter(code__in=CLASSES)}
    rng = random.Random(count)
    rows = []
    for i in range(first, first + count):
        grid = grids[i % len(grids)]
        code = rng.choice(CLASSES)
        rows.append(
            Part(
                code=f"630203{code}{i + 1:06d}",
                part_class=classes[code],
                name="部件",
                lng=102.0 + rng.random() * 0.2,
                lat=36.4 + rng.random() * 0.2,
                grid=grid,
                region_path=grid.path,
                state=rng.choices(["good", "damaged", "lost"], [95, 4, 1])[0],
            )
        )
    Part.objects.bulk_create(rows, batch_size=5000)


def timed(client, url: str) -> tuple[float, float, int]:
    samples = []
    features = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
        features = len(response.json()["features"])
    return round(percentile(samples, 0.5), 1), round(percentile(samples, 0.95), 1), features


def child(url: str) -> None:
    vendor = django_setup(url or None)
    from django.test import Client

    user, grids = build_tree()
    client = Client()
    client.force_login(user)
    figures: dict = {"bench": "parts_layer", "database": vendor}
    done = 0
    for size in SIZES:
        fill(grids, size - done, done)
        done = size
        for name, query in [
            ("all", ""),
            ("class", "?part_class=0112"),
            ("damaged", "?state=damaged"),
            ("bbox", "?bbox=102.0,36.4,102.05,36.45"),
        ]:
            p50, p95, n = timed(client, f"/api/things/parts{query}")
            figures[f"{size}_{name}"] = {"p50_ms": p50, "p95_ms": p95, "features": n}
    report(figures)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2] if len(sys.argv) > 2 else "")
        return
    runs = on_each_database(__file__, "pingan_bench_parts")
    for run in runs:
        print(run)
    report({"bench": "parts_layer", "runs": runs})


if __name__ == "__main__":
    main()
