"""The dispatcher's queue at 1,000,000 events: the first page of /api/events
(through the real API view, in process) for a district dispatcher, a township and
a village centre, unfiltered and with the filters dispatchers use.
Target: p95 < 100 ms. SQLite, and PostgreSQL when one is reachable."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time

from _setup import django_setup, on_each_database, percentile, report

EVENTS = int(os.environ.get("PINGAN_BENCH_SIZE", 1_000_000))  # smaller for a quick try
RUNS = 40
STATES = (
    ["archived"] * 70
    + ["closed"] * 8
    + ["handling"] * 8
    + ["reported"] * 4
    + ["accepted"] * 3
    + ["dispatched"] * 3
    + ["handled"] * 2
    + ["voided"] * 2
)
QUERIES = {
    "mine": "?state=mine",  # 待我办理, the page's default view
    "open": "?state=open",
    "reported": "?state=reported",
    "category_CG": "?state=open&category=CG",
    "overdue": "?state=open&overdue=1",
    "all": "?state=",
    "search_words": "?state=&q=井盖",
    "search_receipt": "?state=&q=ABCDEFGHJK",
}


def fill(count: int) -> float:
    from django.utils import timezone

    from pingan.demo import loader
    from pingan.events.models import Category, Event
    from pingan.regions.models import Region

    loader.load(households=1)
    grids = list(Region.objects.filter(level="grid", active=True))
    categories = list(Category.objects.filter(parent__isnull=False))
    rng = random.Random(7)
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for number in range(count):
        grid = rng.choice(grids)
        created = now - dt.timedelta(minutes=(count - number) * 0.5)
        state = rng.choice(STATES)
        open_ = state not in ("archived", "closed", "voided")
        batch.append(
            Event(
                receipt=f"B{number:09d}",
                category=rng.choice(categories),
                channel="grid_worker",
                state=state,
                description="基准测试事件",
                lng=102.0,
                lat=36.4,
                grid=grid,
                region_path=grid.path,
                created_at=created,
                step_started_at=created,
                deadline=created + dt.timedelta(days=3) if open_ else None,
            )
        )
        if len(batch) == 10_000:
            Event.objects.bulk_create(batch)
            batch = []
    Event.objects.bulk_create(batch)
    return time.perf_counter() - started


def measure() -> dict:
    from django.db import connection
    from django.test import Client

    from pingan.accounts.models import User

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE events_event")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures = {}
    for username in ["zhihui", "xiangzhen", "cunju"]:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, query in QUERIES.items():
            samples = []
            for _ in range(RUNS):
                started = time.perf_counter()
                response = client.get(f"/api/events{query}")
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            figures[f"{username}:{name}"] = {
                "p50_ms": round(percentile(samples, 0.5), 1),
                "p95_ms": round(percentile(samples, 0.95), 1),
                "rows": len(response.json()["items"]),
            }
    return figures


def child(database_url: str) -> None:
    vendor = django_setup(database_url or None)
    seconds = fill(EVENTS)
    print(
        json.dumps(
            {
                "database": vendor,
                "insert_rows_per_s": round(EVENTS / seconds),
                "queries": measure(),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    runs = on_each_database(__file__, "pingan_bench_queue")
    worst = max(q["p95_ms"] for run in runs for q in run["queries"].values())
    report({"bench": "event_queue", "events": EVENTS, "worst_p95_ms": worst, "runs": runs})


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
