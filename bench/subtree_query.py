"""Subtree-scoped reads at 1,000,000 people: the count and the first page of the
people list (through the real API view) for a district, township, village and grid
user; and search (`/api/people?q=`) by a full identity number, a phone number and a
common name. SQLite, and PostgreSQL when one is reachable. Prints p50/p95/p99 in ms.

Search target: p95 < 50 ms."""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time

from _setup import django_setup, on_each_database, percentile, report

PEOPLE = int(os.environ.get("PINGAN_BENCH_SIZE", 1_000_000))  # smaller for a quick try
RUNS = 60
TOKEN = "gAAAAA" + "x" * 134  # the length of a Fernet token of an identity number


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉梅红霞建国志文斌"


def identity(number: int) -> str:
    from pingan.lib.idnumber import check_char

    born = dt.date(1940, 1, 1) + dt.timedelta(days=number % 29_000)
    first17 = f"632126{born:%Y%m%d}{number // 29_000:03d}"  # not the demo's own area
    return first17 + check_char(first17)


def phone(number: int) -> str:
    return f"13{number:09d}"


def name(number: int) -> str:
    # ~1,000 distinct names over a million people, as in life: 王伟 is everywhere.
    given = len(GIVEN)
    return SURNAMES[number % 20] + GIVEN[(number // 20) % given] + GIVEN[(number // 640) % 2]


FIRST_ID: dict[str, int] = {}  # person number n has id FIRST_ID["id"] + n


def fill(people: int) -> float:
    from django.db import transaction

    from pingan.bulk import bulk_insert_values
    from pingan.demo import loader
    from pingan.regions.models import Region
    from pingan.registry.crypto import cipher
    from pingan.registry.models import Person

    loader.load(households=1)
    grids = list(Region.objects.filter(level="grid"))
    started = time.perf_counter()
    lookup = cipher().lookup_hash
    for start in range(0, people, 50_000):
        rows = []
        for number in range(start, min(start + 50_000, people)):
            grid = grids[number % len(grids)]
            rows.append(
                {
                    "grid_id": grid.pk,
                    "region_path": grid.path,
                    "name": name(number),
                    "gender": "M",
                    "birth_date": dt.date(1980, 1, 1),
                    "id_number_encrypted": TOKEN,
                    "id_number_hash": lookup(identity(number)),
                    "id_number_masked": "630203********0000",
                    "phone_encrypted": TOKEN,
                    "phone_hash": lookup(phone(number)),
                    "phone_masked": "130****0000",
                }
            )
        with transaction.atomic():
            ids = bulk_insert_values(Person, rows)
        FIRST_ID.setdefault("id", ids[0])
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
        searches = _searches(client, user)
        figures[username] = {
            **searches,
            "people_in_scope": total,
            "count_p50_ms": round(percentile(counts, 0.5), 2),
            "count_p99_ms": round(percentile(counts, 0.99), 2),
            "page_p50_ms": round(percentile(pages, 0.5), 2),
            "page_p99_ms": round(percentile(pages, 0.99), 2),
        }
    return figures


def _searches(client, user) -> dict:
    """p50/p95 of /api/people?q= by identity number, phone and name, for people in
    the user's scope (found) and, for the grid user, outside it (not found)."""
    from pingan.registry.selectors import people_for_user

    rng = random.Random(user.pk)
    base = FIRST_ID["id"]
    in_scope = list(people_for_user(user).filter(id__gte=base).values_list("id", flat=True)[:5000])
    figures = {}
    for kind, make in [("id", identity), ("phone", phone), ("name", name)]:
        samples = []
        for _ in range(RUNS):
            number = rng.choice(in_scope) - base
            started = time.perf_counter()
            response = client.get("/api/people", {"q": make(number), "limit": 50})
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200 and response.json()["items"], kind
        figures[f"search_{kind}_p50_ms"] = round(percentile(samples, 0.5), 2)
        figures[f"search_{kind}_p95_ms"] = round(percentile(samples, 0.95), 2)
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
