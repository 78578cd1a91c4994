"""The command centre's overview at district scale: 1,000,000 events over two years
and 1,000,000 people, read by the district dispatcher, a township and a village
centre through the real API view (in process), 30 times each. The overview sums
the running counts (events.DailyCount) for district and township scopes and counts
the events for narrower ones. Also: the running counts equal a recount.
Target: p95 < 300 ms. SQLite, and PostgreSQL when one is reachable."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time

from _setup import django_setup, on_each_database, percentile, report

EVENTS = int(os.environ.get("PINGAN_BENCH_SIZE", 1_000_000))  # smaller for a quick try
PEOPLE = EVENTS
RUNS = 30
TOKEN = "g1:" + "x" * 60
STATES = ["archived"] * 80 + ["closed"] * 6 + ["handling"] * 6 + ["reported"] * 3 + ["voided"] * 5


def fill() -> dict:
    from django.db import transaction

    from pingan.bulk import bulk_insert_values
    from pingan.demo import loader
    from pingan.events import counts
    from pingan.events.models import Category, Event
    from pingan.regions.models import Region
    from pingan.registry.models import Person

    loader.load(households=1)
    grids = list(Region.objects.filter(level="grid", active=True).defer("boundary"))
    categories = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    rng = random.Random(11)
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    for start in range(0, EVENTS, 50_000):
        rows = []
        for number in range(start, min(start + 50_000, EVENTS)):
            grid = grids[number % len(grids)]
            created = now - dt.timedelta(minutes=(EVENTS - number) * 1.05)
            state = rng.choice(STATES)
            rows.append(
                {
                    "receipt": f"C{number:09d}",
                    "category_id": rng.choice(categories),
                    "channel": "grid_worker" if number % 3 else "public",
                    "state": state,
                    "description": "基准测试事件",
                    "lng": 102.0,
                    "lat": 36.4,
                    "grid_id": grid.pk,
                    "region_path": grid.path,
                    "created_at": created,
                    "step_started_at": created,
                    "closed_at": created + dt.timedelta(days=3)
                    if state in ("archived", "closed")
                    else None,
                    "overdue": state == "handling" and number % 5 == 0,
                }
            )
        with transaction.atomic():
            bulk_insert_values(Event, rows)
    events_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for start in range(0, PEOPLE, 50_000):
        rows = [
            {
                "grid_id": grids[n % len(grids)].pk,
                "region_path": grids[n % len(grids)].path,
                "name": "基准",
                "gender": "M",
                "birth_date": dt.date(1980, 1, 1),
                "id_number_encrypted": TOKEN,
                "id_number_hash": f"{n:064d}",
                "id_number_masked": "630203********0000",
            }
            for n in range(start, min(start + 50_000, PEOPLE))
        ]
        with transaction.atomic():
            bulk_insert_values(Person, rows)
    people_seconds = time.perf_counter() - started
    started = time.perf_counter()
    counts.recount()
    recount_seconds = time.perf_counter() - started
    return {
        "insert_events_s": round(events_seconds, 1),
        "insert_people_s": round(people_seconds, 1),
        "recount_s": round(recount_seconds, 1),
    }


def measure() -> dict:
    from django.db import connection
    from django.test import Client

    from pingan.accounts.models import User
    from pingan.command.overview import overview
    from pingan.events import counts

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    figures: dict = {}
    for username in ["zhihui", "xiangzhen", "cunju"]:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for period in ["today", "month", "year"]:
            samples = []
            for _ in range(RUNS):
                started = time.perf_counter()
                response = client.get(f"/api/command/overview?period={period}")
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            figures[f"{username}:{period}"] = {
                "p50_ms": round(percentile(samples, 0.5), 1),
                "p95_ms": round(percentile(samples, 0.95), 1),
                "reported": response.json()["reported"],
            }
        if username != "cunju":  # a village's overview counts its events directly
            same = overview(user, period="year", from_counts=True) == overview(
                user, period="year", from_counts=False
            )
            figures[f"{username}:counts_equal_events"] = same
    started = time.perf_counter()
    figures["recount_check_differences"] = len(counts.recount(check=True))
    figures["recount_check_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    overview(User.objects.get(username="zhihui"), period="year", from_counts=False)
    figures["district_year_counting_events_ms"] = round((time.perf_counter() - started) * 1000)
    return figures


def child(database_url: str) -> None:
    vendor = django_setup(database_url or None)
    figures = {"database": vendor, **fill(), "queries": measure()}
    print(json.dumps(figures, ensure_ascii=False))


def main() -> None:
    runs = on_each_database(__file__, "pingan_bench_overview")
    worst = max(q["p95_ms"] for run in runs for q in run["queries"].values() if isinstance(q, dict))
    report(
        {
            "bench": "command_overview",
            "events": EVENTS,
            "people": PEOPLE,
            "worst_p95_ms": worst,
            "runs": runs,
        }
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
