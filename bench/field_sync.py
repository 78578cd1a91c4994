"""The mobile workbench's first sync: a grid worker opens the app on a grid of 500
households (about 1,500 people) and waits until the grid is on the phone.

Measured three ways, on SQLite and (when reachable) PostgreSQL:
- the snapshot endpoint in process (p50/p95 over 20 runs), with its size raw and
  gzipped;
- the whole first sync in headless Chromium against the real server (gunicorn): from
  opening /app/ to the grid stored in IndexedDB and today's tasks drawn, on the
  loopback and on an emulated 3G link (1.6 Mbit/s down, 750 kbit/s up, 150 ms);
- the app's own assets (shell, script, styles, icons, Leaflet) in bytes.
Targets: first sync < 5 s; assets < 1 MB."""

from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from _setup import ROOT, django_setup, on_each_database, percentile, report

HOUSEHOLDS = int(os.environ.get("PINGAN_BENCH_SIZE", 500))
GRID = "630203102001001"  # wangge's
THREE_G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 200_000,
    "uploadThroughput": 94_000,
}


def fill() -> int:
    """The demo district, with wangge's grid grown to HOUSEHOLDS households."""
    from faker import Faker
    from shapely.geometry import shape

    from pingan.bulk import bulk_insert, bulk_insert_values
    from pingan.demo import loader
    from pingan.demo.geometry import random_points
    from pingan.regions.models import Region
    from pingan.registry.models import Household, Person

    loader.load(households=1)
    grid = Region.objects.get(code=GRID)
    have = Household.objects.filter(grid=grid).count()
    rng, fake = random.Random(5), Faker("zh_CN")
    fake.seed_instance(5)
    points = random_points(shape(grid.boundary), max(0, HOUSEHOLDS - have), rng)
    rows = [
        Household(
            grid=grid,
            region_path=grid.path,
            number=f"{grid.code}B{index:04d}",
            address=f"三合镇社区新区{index // 20 + 1}号楼{index % 20 + 1}室",
            lng=float(lng),
            lat=float(lat),
        )
        for index, (lng, lat) in enumerate(points)
    ]
    bulk_insert(rows)
    born_before = loader.dt.date(2026, 11, 1)
    people = [
        loader._person(grid, row, member)
        for row in rows
        for member in loader._family(rng, fake, "汉族", born_before, set())
    ]
    taken = set(Person.objects.values_list("id_number_hash", flat=True))
    bulk_insert_values(Person, [p for p in people if p["id_number_hash"] not in taken])
    return Household.objects.filter(grid=grid).count()


def in_process() -> dict:
    from django.test import Client

    from pingan.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="wangge"))
    samples, body = [], b""
    for _ in range(20):
        started = time.perf_counter()
        response = client.get("/api/field/snapshot")
        samples.append((time.perf_counter() - started) * 1000)
        body = response.content
    data = json.loads(body)
    return {
        "snapshot_p50_ms": round(percentile(samples, 0.5), 1),
        "snapshot_p95_ms": round(percentile(samples, 0.95), 1),
        "snapshot_bytes": len(body),
        "snapshot_gzip_bytes": len(gzip.compress(body)),
        "households": len(data["households"]),
        "people": len(data["people"]),
    }


def in_browser(env: dict) -> dict:
    """Seconds from opening the app (logged in) to the grid being on the phone."""
    from playwright.sync_api import sync_playwright

    from tests.server import CHROMIUM, CHROMIUM_ARGS, free_port, log_in, wait_for

    port = free_port()
    env = env | {"PINGAN_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "pingan"), "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    figures = {}
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, link in [("loopback", None), ("3g", THREE_G)]:
                runs = [_first_sync(browser, base, link, log_in) for _ in range(3)]
                figures[f"first_sync_{name}_s"] = round(sorted(runs)[1], 2)
            browser.close()
    finally:
        os.killpg(server.pid, 15)
        server.wait(10)
    return figures


def _first_sync(browser, base: str, link: dict | None, log_in) -> float:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    log_in(page, base, "wangge")
    if link:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", link)
    started = time.perf_counter()
    page.goto(f"{base}/app/")
    page.wait_for_function(
        "document.body.innerText.includes('今日任务') && document.body.innerText.includes('超过')",
        timeout=60_000,
    )
    seconds = time.perf_counter() - started
    stored = page.evaluate(
        """() => new Promise((done) => {
          const open = indexedDB.open("pingan-app");
          open.onsuccess = () => {
            const get = open.result.transaction("kv").objectStore("kv").get("snapshot");
            get.onsuccess = () => done(get.result ? get.result.households.length : 0);
          };
        })"""
    )
    context.close()
    assert stored >= HOUSEHOLDS, stored
    return seconds


def assets() -> dict:
    from django.contrib.staticfiles import finders

    from pingan.fieldwork.views import SHELL_ASSETS

    files = [Path(finders.find(asset)) for asset in SHELL_ASSETS]  # type: ignore[arg-type]
    raw = sum(path.stat().st_size for path in files)
    zipped = sum(len(gzip.compress(path.read_bytes())) for path in files)
    return {"assets_bytes": raw, "assets_gzip_bytes": zipped}


def child(database_url: str) -> None:
    vendor = django_setup(database_url or None)
    households = fill()
    figures = {"database": vendor, "grid_households": households, **in_process(), **assets()}
    env = dict(os.environ)
    figures |= in_browser(env)
    print(json.dumps(figures, ensure_ascii=False))


def main() -> None:
    runs = on_each_database(__file__, "pingan_bench_field")
    worst = max(run[key] for run in runs for key in run if key.startswith("first_sync"))
    report(
        {
            "bench": "field_sync",
            "households": HOUSEHOLDS,
            "worst_first_sync_s": worst,
            "assets_bytes": runs[0]["assets_bytes"],
            "runs": runs,
        }
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
