"""Time to load the full demo district (40,000 households, ~128,000 people) into a
fresh database: SQLite, and PostgreSQL when one is reachable. Target: < 120 s."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

from _setup import ROOT, postgres_url, report


def run_one(database_url: str | None) -> dict:
    code = (
        "import sys, time; sys.path.insert(0, 'bench');"
        "from _setup import django_setup; vendor = django_setup(sys.argv[1] or None);"
        "from pingan.demo import loader; t = time.perf_counter(); r = loader.load();"
        "print(vendor, round(time.perf_counter() - t, 1), r.counts['households'],"
        " r.counts['people'], r.counts['grids'])"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, database_url or ""],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    vendor, seconds, households, people, grids = out[-5:]
    return {
        "database": vendor,
        "load_s": float(seconds),
        "with_migrate_s": round(time.perf_counter() - started, 1),
        "households": int(households),
        "people": int(people),
        "grids": int(grids),
    }


def main() -> None:
    runs = [run_one(None)]
    pg = postgres_url("pingan_bench_demo")
    if pg:
        runs.append(run_one(pg))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report({"bench": "demo_load", "runs": runs, "peak_rss_mb": round(peak_mb)})


if __name__ == "__main__":
    main()
