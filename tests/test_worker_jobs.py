"""The worker as it runs in production: a real `pingan worker` process claims an
uploaded import, runs it in a process of its own (whose checkers are forked), the
job's process is killed -9 halfway, the job is taken up again and imports every
row exactly once; the worker then stops on SIGTERM."""

import csv
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.server import BIN, pingan_command, pingan_shell

pytestmark = [pytest.mark.live, pytest.mark.timeout(600)]
ROWS = 40_000  # above imports.PARALLEL_FROM: the checkers are forked


def people_file(path: Path, grids: list[str]) -> None:
    from pingan.lib.idnumber import check_char
    from pingan.registry import columns

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        headers = columns.headers("people")
        writer.writerow(headers)
        for number in range(ROWS):
            first17 = f"632126{1950 + number % 50}0101{number // 50:03d}"[:17]
            row = dict.fromkeys(headers, "")
            row.update(
                {
                    headers[0]: grids[(number // 4) % len(grids)],
                    headers[1]: f"W{number // 4:07d}",
                    headers[3]: f"测试{number}",
                    headers[4]: first17 + check_char(first17),
                }
            )
            writer.writerow(row.values())


def query(data_dir: str, sql: str):
    with sqlite3.connect(Path(data_dir) / "pingan.sqlite3", timeout=30) as conn:
        return conn.execute(sql).fetchone()


def job_processes(parent: int | None = None, data_dir: str = "") -> list[int]:
    """`pingan jobs run` processes (with their forked checkers, unless `parent` is
    given: then only those the worker started); with `data_dir`, only those of
    that installation, so a suite running beside this one is not counted."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            ours = b"jobs" in cmdline and b"run" in cmdline and b"pingan.cli" in cmdline
            if ours and data_dir and not _of_installation(int(pid), data_dir):
                continue
            if ours and (parent is None or _parent_of(int(pid)) == parent):
                found.append(int(pid))
    return found


def _of_installation(pid: int, data_dir: str) -> bool:
    try:
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"PINGAN_DATA_DIR={data_dir}".encode() in environment


def _parent_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _ended(row):
    return row if row and row[0] not in ("pending", "running") else None


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_import_is_taken_up_again_and_imports_every_row_once(tmp_path):
    data_dir = str(tmp_path)
    pingan_command(data_dir, "migrate", "-v0")
    pingan_command(data_dir, "demo", "--households", "1")
    grids = json.loads(
        pingan_shell(
            data_dir,
            "import json; from pingan.regions.models import Region; "
            "print(json.dumps(list(Region.objects.filter(level='grid', active=True)"
            ".values_list('code', flat=True)[:20])))",
        )
    )
    upload = tmp_path / "people.csv"
    people_file(upload, grids)
    before = query(data_dir, "SELECT COUNT(*) FROM registry_person")[0]
    pingan_shell(
        data_dir,
        "from pingan.accounts.models import User; from pingan.registry.models import ImportJob; "
        "from pingan.jobs.services import job_enqueue; "
        f"job = ImportJob.objects.create(kind='people', file_name='people.csv', "
        f"stored_file={str(upload)!r}, user=User.objects.get(username='zhihui')); "
        "job_enqueue(kind='registry.import', args={'import_id': job.pk}); print(job.pk)",
    )
    env = {**os.environ, "PINGAN_DATA_DIR": data_dir, "PINGAN_JOB_STALE_SECONDS": "10"}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [str(BIN / "pingan"), "worker", "--interval", "0.5"],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(
            lambda: query(data_dir, "SELECT checked FROM registry_importjob")[0] > 0,
            120,
            "the import to start checking",
        )
        (child,) = wait_for(lambda: job_processes(worker.pid), 10, "the job's process")
        os.kill(child, signal.SIGKILL)
        # The import's own row ends a moment before the job's row does: wait for both.
        status = wait_for(
            lambda: (
                query(data_dir, "SELECT status FROM registry_importjob")[0]
                in ("done", "refused", "failed")
                and _ended(query(data_dir, "SELECT status, attempts FROM jobs_job"))
            ),
            300,
            "the import to finish",
        )
        assert status == ("done", 2), status
        imported = query(data_dir, "SELECT status, imported, total FROM registry_importjob")
        assert imported == ("done", ROWS, ROWS)
        after = query(data_dir, "SELECT COUNT(*) FROM registry_person")[0]
        assert after - before == ROWS
    finally:
        worker.send_signal(signal.SIGTERM)
        stopped_in = time.monotonic()
        worker.wait(30)
    assert time.monotonic() - stopped_in < 10
    # The killed job's forked checkers are orphans now; they end on their own.
    wait_for(lambda: not job_processes(data_dir=data_dir), 20, "every job process to end")
