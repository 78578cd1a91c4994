"""Importing a district's people from one workbook: 226,127 people (the seed
district's figure) in an .xlsx with Chinese headers, about 0.5 % of rows
deliberately bad (wrong check digit, unknown code, a number twice), imported with
"valid rows only" by the district administrator into the demo district (which
already holds its own 128,965 people). Prints rows/s for reading and checking and
for committing. SQLite, and PostgreSQL when one is reachable.

Target: the whole file in <= 30 s on 2 cores."""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path

from _setup import django_setup, on_each_database, report

PEOPLE = int(os.environ.get("PINGAN_BENCH_SIZE", 226_127))
BAD_SHARE = 0.005
CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / f"pingan-bench-people-{PEOPLE}.xlsx"
AREA = "632126"  # not one the demo district's own people use, so no clashes by chance


def workbook(grid_codes: list[str]) -> tuple[Path, int]:
    """The generated file (cached between runs) and how many rows in it are bad."""
    from openpyxl import Workbook

    from pingan.lib.idnumber import check_char
    from pingan.registry import columns

    rng = random.Random(226127)
    bad = 0
    if CACHE.exists():
        return CACHE, round(PEOPLE * BAD_SHARE)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    sheet.append(columns.headers("people"))
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
    for number in range(PEOPLE):
        grid = grid_codes[(number // 3) % len(grid_codes)]  # a household's three together
        # A distinct (birth date, sequence) for every row.
        born = dt.date(1940, 1, 1) + dt.timedelta(days=number % 29_000)
        first17 = f"{AREA}{born:%Y%m%d}{number // 29_000:03d}"
        id_number = first17 + check_char(first17)
        marital = "已婚"
        if number % 200 == 7 and bad < PEOPLE * BAD_SHARE:  # spread the bad rows
            bad += 1
            kind = bad % 3
            if kind == 0:
                id_number = id_number[:-1] + ("0" if id_number[-1] != "0" else "1")
            elif kind == 1:
                marital = "未知"
        sheet.append(
            [
                grid,
                f"B{grid}{number // 3:06d}",  # new households of three
                "",
                rng.choice(surnames) + "某" + str(number % 97),
                id_number,
                "",
                f"139{number:08d}"[:11],
                "汉族",
                "户主" if number % 3 == 0 else "子女",
                "",
                "",
                marital,
                "群众",
                "初中",
                "",
                "农民",
                "",
                "",
                "",
                "户籍人口",
                "",
            ]
        )
    book.save(CACHE)
    return CACHE, bad


def child(database_url: str) -> dict:
    vendor = django_setup(database_url or None)
    from pingan.accounts.models import User
    from pingan.demo import loader
    from pingan.regions.models import Region
    from pingan.registry import imports
    from pingan.registry.models import Person

    loader.load()
    codes = list(Region.objects.filter(level="grid").values_list("code", flat=True))
    path, _ = workbook(codes)
    before = Person.objects.count()
    started = time.perf_counter()
    outcome = imports.import_file(
        user=User.objects.get(username="admin"), kind="people", path=path, valid_only=True
    )
    total = time.perf_counter() - started
    added = Person.objects.count() - before
    assert added == outcome.imported, (added, outcome.imported)
    return {
        "database": vendor,
        "rows": outcome.total,
        "bad_rows": len({e.row for e in outcome.errors}),
        "imported": outcome.imported,
        "read_and_check_s": round(outcome.check_seconds, 1),
        "check_rows_per_s": round(outcome.total / outcome.check_seconds),
        "commit_s": round(outcome.commit_seconds, 1),
        "commit_rows_per_s": round(outcome.imported / outcome.commit_seconds),
        "total_s": round(total, 1),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        report(child(sys.argv[2]))
        return
    runs = on_each_database(__file__, "pingan_bench_registry_import")
    report({"bench": "registry_import", "target_s": 30, "runs": runs})


if __name__ == "__main__":
    main()
