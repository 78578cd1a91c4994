"""Subtree-scoped reads at 1,000,000 people: the count and the first page of the
people list (through the real API view) for a district, township, village and grid
user. SQLite, and PostgreSQL when one is reachable. Prints p50/p99 in ms."""

from __future__ import annotations

import hashlib
import os
import sys
import time

from _setup import django_setup, on_each_database, percentile, report

PEOPLE = int(os.environ.get("PINGAN_BENCH_SIZE", 1_000_000))  # smaller for a quick try
RUNS = 60
TOKEN = "gAAAAA" + "x" * 134  # the length of a Fernet token of an identity number


def fill(people: int) -> float:
    import datetime as dt

    from pingan.demo import loader
    from pingan.regions.models import Region
    from pingan.registry.models import Person

    loader.load(households=1)
    grids = list(Region.objects.filter(level="grid"))
    started = time.perf_counter()
    batch: list[Person] = []
    for number in range(people):
        grid = grids[number % len(grids)]
        batch.append(
            Person(
                grid=grid,
                region_path=grid.path,
                name=f"人员{number}",
                gender="M",
                birth_date=dt.date(1980, 1, 1),
                id_number_encrypted=TOKEN,
                id_number_hash=hashlib.sha256(str(number).encode()).hexdigest(),
                id_number_masked="630203********0000",
            )
        )
        if len(batch) == 10_000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    return time.perf_counter() - started


def measure() -> dict:
    from django.db import connection
    from django.test import Client

    from pingan.accounts.models import User
    from pingan.registry.selectors import people_for_user

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    figures = {}
    for username in ["zhihui", "xiangzhen", "cunju", "wangge"]:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        counts, pages = [], []
        total = 0
        for _ in range(RUNS):
            started = time.perf_counter()
            total = people_for_user(user).count()
            counts.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response = client.get("/api/people?limit=50")
            pages.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and response.json()["items"]
        figures[username] = {
            "people_in_scope": total,
            "count_p50_ms": round(percentile(counts, 0.5), 2),
            "count_p99_ms": round(percentile(counts, 0.99), 2),
            "page_p50_ms": round(percentile(pages, 0.5), 2),
            "page_p99_ms": round(percentile(pages, 0.99), 2),
        }
    return figures


def child(database_url: str) -> None:
    vendor = django_setup(database_url or None)
    seconds = fill(PEOPLE)
    import json

    print(
        json.dumps(
            {"database": vendor, "insert_rows_per_s": round(PEOPLE / seconds), "scopes": measure()},
            ensure_ascii=False,
        )
    )


def main() -> None:
    runs = on_each_database(__file__, "pingan_bench_subtree")
    report({"bench": "subtree_query", "people": PEOPLE, "runs": runs})


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
