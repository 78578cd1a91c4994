"""`make run` serves with the worker beside the server: the demo's queued texts
(receipts of applications and bookings) are sent, and stopping the server stops
the worker too. The static files are collected at start and sent compressed."""

from __future__ import annotations

import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.server import running_demo


def pending_texts(database) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute(
            "SELECT count(*) FROM notices_outboundmessage WHERE status = 'pending'"
        ).fetchone()[0]


def worker_running(data_dir, command="pingan worker") -> bool:
    """Whether a `pingan worker` (or `command`) of this test's data folder is alive."""
    found = subprocess.run(["pgrep", "-f", command], capture_output=True, text=True)
    for pid in found.stdout.split():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:  # ended meanwhile
            continue
        if f"PINGAN_DATA_DIR={data_dir}".encode() in environ:
            return True
    return False


def test_make_run_sends_the_queued_texts_and_stops_with_the_server(tmp_path, monkeypatch):
    texts = tmp_path / "sms.txt"
    monkeypatch.setenv("PINGAN_SMS_FILE", str(texts))
    database = tmp_path / "pingan.sqlite3"
    with running_demo(data_dir=str(tmp_path), with_worker=True) as base:
        assert urllib.request.urlopen(f"{base}/legal/").status == 200
        asking = urllib.request.Request(
            f"{base}/static/vendor/echarts.common.min.js", headers={"Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(asking) as script:
            assert script.headers["Content-Encoding"] == "gzip"
            assert (
                int(script.headers["Content-Length"])
                < (tmp_path / "static" / "vendor" / "echarts.common.min.js").stat().st_size / 2
            )
        deadline = time.monotonic() + 60
        while pending_texts(database) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert pending_texts(database) == 0
        assert "SMS to" in texts.read_text(encoding="utf-8")
        assert worker_running(tmp_path)
        assert worker_running(tmp_path, "pingan gb28181"), "the camera endpoint runs beside"
    deadline = time.monotonic() + 15
    while (worker_running(tmp_path) or worker_running(tmp_path, "pingan gb28181")) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.3)
    assert not worker_running(tmp_path)
    assert not worker_running(tmp_path, "pingan gb28181")
