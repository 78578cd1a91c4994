"""kill -9 the server while events are being posted: every event whose receipt was
returned to a client is still there afterwards."""

import http.client
import json
import os
import signal
import sqlite3
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from pingan.demo.loader import DEMO_API_KEY
from tests.server import fresh_postgres, running_demo

POSTERS = 4


def post_until_dead(base: str, receipts: list[str], stop: threading.Event) -> None:
    body = urllib.parse.urlencode(
        {
            "api_key": DEMO_API_KEY,
            "service_code": "CG01",
            "lat": 36.47,
            "long": 102.05,
            "description": "压力测试：路边垃圾",
        }
    ).encode()
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"{base}/open311/v2/requests.json", body, timeout=5) as r:
                receipts.append(json.loads(r.read())[0]["service_request_id"])
        except (OSError, http.client.HTTPException):  # the server died mid-answer
            if stop.is_set():
                return


def stored_receipts(data_dir: str, database_url: str | None) -> set[str]:
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            return {str(row[0]) for row in conn.execute("SELECT id FROM events_event")}
    with sqlite3.connect(Path(data_dir) / "pingan.sqlite3") as conn:
        return {str(row[0]) for row in conn.execute("SELECT id FROM events_event")}


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_every_acknowledged_event_survives_kill_9(engine, tmp_path):
    database_url = fresh_postgres("pingan_crash_test") if engine == "postgresql" else None
    if engine == "postgresql" and database_url is None:
        pytest.skip("the suite is running on SQLite")
    receipts: list[str] = []
    stop = threading.Event()
    with running_demo(data_dir=str(tmp_path), database_url=database_url, workers=2) as base:
        threads = [
            threading.Thread(target=post_until_dead, args=(base, receipts, stop))
            for _ in range(POSTERS)
        ]
        for thread in threads:
            thread.start()
        while len(receipts) < 60:
            threading.Event().wait(0.05)
        gunicorn = _gunicorn_master(base)
        assert os.getpgid(gunicorn) != os.getpgid(0)
        os.killpg(os.getpgid(gunicorn), signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(10)
    acknowledged = set(receipts)
    assert len(acknowledged) >= 60
    missing = acknowledged - stored_receipts(str(tmp_path), database_url)
    assert not missing, f"{len(missing)} acknowledged events lost"


def _gunicorn_master(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if any("gunicorn" in part for part in cmdline[:2]) and f"127.0.0.1:{port}" in cmdline:
            return int(pid)
    raise RuntimeError("gunicorn not found")
