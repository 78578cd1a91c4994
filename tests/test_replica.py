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

import os
import shutil
import subprocess
import tempfile
import time

import pytest

from tests.postgres import (
    NEEDS_CLUSTERS,
    Staff,
    owned_folder,
    primary_and_replica,
    replayed,
)
from tests.server import BIN, running_demo

pytestmark = [pytest.mark.live, pytest.mark.timeout(900), *NEEDS_CLUSTERS]
MAX_LAG = 20  # seconds


@pytest.fixture(scope="module")
def clusters():
    base = owned_folder("pingan-replica-")
    try:
        with primary_and_replica(base) as both:
            yield both
    finally:
        shutil.rmtree(base, ignore_errors=True)


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
