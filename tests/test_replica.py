"""The heavy reads from a real streaming replica (pingan/lib/replica.py): a
PostgreSQL primary and a replica made from it by pg_basebackup, each its own
cluster in a temporary folder on its own port, the demo district served with
DATABASE_REPLICA_URL. With the replica's replay paused, a new event is on the
primary only, so the overview's count says which copy answered:
- the overview reads the replica (the event is not there yet);
- a user who just wrote reads the primary (read your own writes);
- a replica further behind than PINGAN_REPLICA_MAX_LAG is skipped;
- a replica that is down is skipped, and the page still answers."""

from __future__ import annotations

import http.cookiejar
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from glob import glob
from pathlib import Path

import pytest

from tests.server import BIN, free_port, running_demo

BINDIR = max(glob("/usr/lib/postgresql/*/bin"), default="")
pytestmark = [
    pytest.mark.live,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not BINDIR, reason="needs Debian's postgresql server binaries"),
    pytest.mark.skipif(os.geteuid() != 0, reason="runs the clusters as the postgres user"),
]
MAX_LAG = 20  # seconds


def as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True)


def pg(name: str) -> str:
    return str(Path(BINDIR) / name)


class Cluster:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self, *options: str) -> None:
        settings = f"-p {self.port} -c listen_addresses=127.0.0.1 -k /tmp " + " ".join(options)
        log = str(self.folder / "server.log")
        as_postgres(pg("pg_ctl"), "-D", str(self.folder), "-l", log, "-w", "-o", settings, "start")

    def stop(self) -> None:
        if (self.folder / "postmaster.pid").exists():
            as_postgres(pg("pg_ctl"), "-D", str(self.folder), "-m", "immediate", "-w", "stop")

    def sql(self, statement: str, database: str = "postgres"):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchone() if cursor.description else None


@pytest.fixture(scope="module")
def clusters():
    base = Path(tempfile.mkdtemp(prefix="pingan-replica-"))
    shutil.chown(base, "postgres", "postgres")
    primary = Cluster(base / "primary", free_port())
    replica = Cluster(base / "replica", free_port())
    as_postgres(pg("initdb"), "-D", str(primary.folder), "-A", "trust", "-U", "postgres")
    try:
        primary.start("-c wal_level=replica -c max_wal_senders=4")
        primary.sql("CREATE DATABASE pingan")
        as_postgres(
            pg("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(replica.folder), "-R", "-X", "stream"),
        )
        replica.start("-c hot_standby=on")
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)


class Staff:
    """A signed-in user of the served demo, over plain HTTP."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/login/").read()
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        form = {"username": username, "password": "pingan-demo-2026", "csrfmiddlewaretoken": token}
        request = urllib.request.Request(
            f"{base}/login/", urllib.parse.urlencode(form).encode(), {"Referer": f"{base}/login/"}
        )
        self.opener.open(request).read()
        # Signing in wrote (a session): start with the replica's reads allowed.
        self.jar.clear(domain="127.0.0.1", path="/", name="pingan_wrote")

    def reported(self, *, just_wrote: bool = False) -> int:
        request = urllib.request.Request(f"{self.base}/api/command/overview?period=month")
        if just_wrote:
            request.add_header("Cookie", self._cookies() + "; pingan_wrote=1")
            answer = urllib.request.urlopen(request, timeout=30)
        else:
            answer = self.opener.open(request, timeout=30)
        return json.loads(answer.read())["reported"]

    def page(self, path: str) -> str:
        return self.opener.open(f"{self.base}{path}", timeout=30).read().decode()

    def _cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def replayed(primary: Cluster, replica: Cluster) -> None:
    """A committed write on the primary, then until the replica has replayed it."""
    primary.sql("CREATE TABLE IF NOT EXISTS tick (at timestamptz)", "pingan")
    primary.sql("INSERT INTO tick VALUES (now())", "pingan")
    (wanted,) = primary.sql("SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        (done,) = replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{wanted}'::pg_lsn")
        if done:
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


REPORT = (
    "from pingan.accounts.models import User; from pingan.events.models import Category; "
    "from pingan.events.intake import event_report; from pingan.events.services import Report; "
    "w = User.objects.get(username='wangge'); lng, lat = w.region.inner_point(); "
    "r = Report(category=Category.objects.get(code='CG01'), lng=lng, lat=lat, "
    "description='备库测试：井盖缺失'); "
    "print(event_report(actor=w, channel='grid_worker', report=r).event.pk)"
)


def test_heavy_reads_go_to_the_replica_unless_fresh_data_is_needed(clusters):
    primary, replica = clusters
    settings = {
        "DATABASE_REPLICA_URL": replica.url("pingan"),
        "PINGAN_REPLICA_MAX_LAG": str(MAX_LAG),
        "PINGAN_REPLICA_CHECK_SECONDS": "0.2",
    }
    data_dir = tempfile.mkdtemp(prefix="pingan-replica-data-")  # its keys, for the shell too
    with running_demo(
        data_dir=data_dir, database_url=primary.url("pingan"), settings=settings
    ) as base:
        centre, admin = Staff(base, "zhihui"), Staff(base, "admin")
        replayed(primary, replica)
        assert "正常，落后主库" in admin.page("/system/")
        before = centre.reported()
        replica.sql("SELECT pg_wal_replay_pause()")
        written_at = time.monotonic()
        env = {**os.environ, "DATABASE_URL": primary.url("pingan"), "PINGAN_DATA_DIR": data_dir}
        subprocess.run([str(BIN / "pingan"), "shell", "-c", REPORT], env=env, check=True)

        assert centre.reported() == before  # the replica, paused before the report
        assert centre.reported(just_wrote=True) == before + 1  # read your own writes
        time.sleep(max(0, written_at + MAX_LAG + 1 - time.monotonic()))
        assert centre.reported() == before + 1  # too far behind: the primary
        assert f"超过 {MAX_LAG} 秒，暂由主库承担" in admin.page("/system/")

        replica.sql("SELECT pg_wal_replay_resume()")
        replayed(primary, replica)
        assert centre.reported() == before + 1  # caught up: the replica again
        replica.stop()
        assert centre.reported() == before + 1  # down: the primary, no error
        assert "不可用，查询改由主库承担" in admin.page("/system/")
