"""Shared set-up for benchmarks: a throwaway database (SQLite in a temporary folder,
or a fresh PostgreSQL database), migrated, with Django configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("PINGAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def postgres_url(name: str) -> str | None:
    """A fresh database `name` on the local server, or None when there is none."""
    try:
        import psycopg

        with psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


def django_setup(database_url: str | None = None) -> str:
    data_dir = tempfile.mkdtemp(prefix="pingan-bench-")
    os.environ["PINGAN_DATA_DIR"] = data_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


def report(figures: dict) -> None:
    print(json.dumps(figures, ensure_ascii=False))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def on_each_database(script: str, pg_name: str) -> list[dict]:
    """Run `script --child URL` in a fresh process on SQLite and, when a server is
    reachable, on a fresh PostgreSQL database; each child's last line is its JSON."""
    runs = []
    for url in ["", postgres_url(pg_name)]:
        if url is None:
            continue
        out = subprocess.run(
            [sys.executable, script, "--child", url],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return runs
