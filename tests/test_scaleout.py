"""Pingan on several machines, played on this one (issue 20): a PostgreSQL primary
with WAL archiving and a streaming replica, pgbouncer in transaction mode in front
of the primary, two app servers (each its own data folder, sharing only the
database, Redis and a media folder) behind nginx with the site from deploy/, and
two workers. It shows that
- a user signed in through nginx is known to both servers, and both serve;
- a grid boundary changed on one server moves a point on the other within the
  grid index's stated time (regions.geo: CHECK_SECONDS);
- an account locked on one server is locked on the other (rate limits in Redis);
- a photo saved on one host is served by the other (the shared media folder);
- two workers through the pooler send each text once, and a worker killed while
  sending is taken over when its lease lapses;
- the command centre's reads go to the replica behind the pooler;
- a base backup (deploy/backup/pingan-backup) with the archived WAL after it
  restores (deploy/backup/restore) to a database whose journal verifies and that
  holds what was written after the backup."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.postgres import (
    NEEDS_CLUSTERS,
    Cluster,
    Staff,
    as_postgres,
    owned_folder,
    pgbouncer,
    primary_and_replica,
    replayed,
)
from tests.server import BIN, free_port, listening, wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.timeout(1200),
    *NEEDS_CLUSTERS,
    pytest.mark.skipif(not shutil.which("nginx", path="/usr/sbin:/usr/bin"), reason="needs nginx"),
    pytest.mark.skipif(
        not shutil.which("pgbouncer", path="/usr/sbin:/usr/bin"), reason="needs pgbouncer"
    ),
]
ROOT = Path(__file__).parent.parent
DEPLOY = ROOT / "deploy"
REDIS = "redis://127.0.0.1:6379/11"  # a database of its own, emptied before and after
LEASE = 6  # seconds: PINGAN_ROUND_LEASE_SECONDS
TEXTS = 12
REPORT = (
    "from pingan.accounts.models import User; from pingan.events.models import Category; "
    "from pingan.events.intake import event_report; from pingan.events.services import Report; "
    "w = User.objects.get(username='wangge'); lng, lat = w.region.inner_point(); "
    "c = Category.objects.get(code='CG01'); "
    "print([event_report(actor=w, channel='grid_worker', report=Report(category=c, lng=lng, "
    "lat=lat, description=f'多机测试：井盖缺失 {n}')).event.pk for n in range({count})])"
)


@dataclass
class Platform:
    primary: Cluster
    replica: Cluster
    base: Path
    archive: Path
    nginx: str
    servers: list[str]
    logs: list[Path]
    env: dict[str, str]
    workers: list[subprocess.Popen] = field(default_factory=list)

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [str(BIN / "pingan"), "shell", "-c", code],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip().splitlines()[-1]

    def worker(self) -> subprocess.Popen:
        command = [str(BIN / "pingan"), "worker", "--interval", "0.5"]
        process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.workers.append(process)
        return process


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()


def host_env(base: Path, name: str, shared: dict[str, str]) -> dict[str, str]:
    data = base / name
    data.mkdir()
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return {**env, **shared, "PINGAN_DATA_DIR": str(data)}


@contextlib.contextmanager
def nginx(folder: Path, upstreams: list[int]) -> Iterator[int]:
    """deploy/nginx/pingan.conf with this test's ports, in an nginx of its own."""
    port = free_port()
    site = (DEPLOY / "nginx" / "pingan.conf").read_text()
    site = re.sub(r"\n\s*server 127\.0\.0\.1:\d+ [^\n]*;", "", site)
    servers = "".join(f"\n    server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in upstreams)
    site = site.replace("upstream pingan_app {", "upstream pingan_app {" + servers)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (folder / "pingan.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"user root;\ndaemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events {}\nhttp {\n  access_log off;\n"
        f"  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  include {folder}/pingan.conf;\n}}\n"
    )
    with listening(["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")], port):
        yield port


def stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(15)


@pytest.fixture(scope="module")
def platform():
    flush_redis()
    base = owned_folder("pingan-scale-")
    archive = base / "wal"
    archive.mkdir()
    shutil.copy(DEPLOY / "backup" / "archive-wal", base / "archive-wal")
    # archive_command as deploy/postgresql/primary.conf has it, with this archive.
    wrapper = base / "archive"
    wrapper.write_text(f'#!/bin/sh\nPINGAN_WAL_ARCHIVE={archive} exec {base}/archive-wal "$@"\n')
    wrapper.chmod(0o755)
    for path in (archive, base / "archive-wal", wrapper):
        shutil.chown(path, "postgres", "postgres")
    archiving = f"-c archive_mode=on -c archive_timeout=1 -c archive_command='{wrapper} %p %f'"
    plain = Path(tempfile.mkdtemp(prefix="pingan-hosts-"))
    plain.chmod(0o755)  # pgbouncer runs as postgres
    (plain / "media").mkdir()
    (plain / "bouncer").mkdir()
    servers: list[subprocess.Popen] = []
    try:
        with (
            primary_and_replica(base, archiving) as (primary, replica),
            pgbouncer(primary, plain / "bouncer", DEPLOY / "pgbouncer" / "pgbouncer.ini") as pool,
        ):
            ports = [free_port(), free_port()]
            with nginx(plain, ports) as front:
                shared = {
                    "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pool}/pingan",
                    "PINGAN_DB_POOLER": "transaction",
                    "DATABASE_REPLICA_URL": replica.url("pingan"),
                    "PINGAN_REPLICA_CHECK_SECONDS": "0.5",
                    "REDIS_URL": REDIS,
                    "PINGAN_MEDIA_DIR": str(plain / "media"),
                    "PINGAN_SECRET_KEY": "scale-out-secret-" + "x" * 40,
                    "PINGAN_FIELD_KEY": "DdwqvJ5y0QYgXc5cOHQkxqDMn3QWkKcXIHw1S5n1q3o=",
                    "PINGAN_AUDIT_KEY": "scale-out-audit-" + "y" * 40,
                    "PINGAN_TRUSTED_PROXIES": "127.0.0.1",
                    "PINGAN_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{front}",
                    "PINGAN_SIP_BIND": "off",
                    "PINGAN_ROUND_LEASE_SECONDS": str(LEASE),
                    "PINGAN_SMS_SENDER": "tests.slow_sms.SlowSender",
                    "PINGAN_SMS_FILE": str(plain / "sms.log"),
                    "PYTHONPATH": str(ROOT),
                }
                envs = [host_env(plain, name, shared) for name in ("host-a", "host-b")]
                pingan = str(BIN / "pingan")
                subprocess.run([pingan, "migrate", "-v0"], env=envs[0], check=True)
                subprocess.run(
                    [pingan, "demo", "--households", "1"],
                    env=envs[0],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
                logs = []
                for port, env in zip(ports, envs, strict=True):
                    log = Path(env["PINGAN_DATA_DIR"]) / "access.log"
                    bind = ["--bind", f"127.0.0.1:{port}", "--workers", "2"]
                    servers.append(
                        subprocess.Popen(
                            [pingan, "serve", *bind],
                            env=env,
                            stdout=log.open("w"),
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
                    logs.append(log)
                for port in ports:
                    wait_for(port, 60)
                made = Platform(
                    primary=primary,
                    replica=replica,
                    base=base,
                    archive=archive,
                    nginx=f"http://127.0.0.1:{front}",
                    servers=[f"http://127.0.0.1:{port}" for port in ports],
                    logs=logs,
                    env=envs[0],
                )
                try:
                    yield made
                finally:
                    for process in made.workers:
                        process.kill()
                        process.wait(10)
    finally:
        for process in servers:
            stop(process)
        flush_redis()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(plain, ignore_errors=True)


def test_a_user_signed_in_through_nginx_is_known_to_both_servers(platform):
    centre = Staff(platform.nginx, "zhihui")
    assert centre.signed_in
    for _ in range(8):  # nginx takes turns
        assert "综合概况" in centre.page("/command/")
    for server in platform.servers:
        assert "综合概况" in centre.at(server).page("/command/")
    served = [log.read_text().count("GET /command/") for log in platform.logs]
    assert all(count >= 2 for count in served), served


def test_a_boundary_changed_on_one_server_moves_a_point_on_the_other(platform):
    from shapely.geometry import mapping, shape

    from pingan.regions.geo import _GridIndexCache

    admin_a = Staff(platform.servers[0], "admin")
    admin_b = admin_a.at(platform.servers[1])
    district = platform.shell(
        "from pingan.regions.models import Region; print(Region.objects.get(parent=None).code)"
    )
    _, tree = admin_a.api("GET", f"/api/regions/{district}/geojson?depth=3")
    grid = next(f for f in tree["features"] if f["properties"]["level"] == "grid" and f["geometry"])
    code, polygon = grid["properties"]["code"], shape(grid["geometry"])
    kept = polygon.representative_point().buffer(polygon.length / 200).envelope
    kept = kept.intersection(polygon)
    point = polygon.difference(kept).representative_point()
    where = f"/api/locate?lng={point.x}&lat={point.y}"
    assert admin_b.api("GET", where)[1]["grid"]["code"] == code

    status, _ = admin_a.api("PUT", f"/api/regions/{code}/boundary", mapping(kept))
    assert status == 200
    changed_at = time.monotonic()
    while admin_b.api("GET", where)[1]["found"]:
        assert time.monotonic() - changed_at < _GridIndexCache.CHECK_SECONDS + 5
        time.sleep(0.1)
    # Within the stated time every process of server B (two gunicorn workers) has
    # moved on, not just the first to answer.
    time.sleep(max(0, changed_at + _GridIndexCache.CHECK_SECONDS + 0.5 - time.monotonic()))
    assert not any(admin_b.api("GET", where)[1]["found"] for _ in range(6))


PHOTO = (
    "from django.core.files.base import ContentFile; "
    "from pingan.events.models import Event, Photo; "
    "e = Event.objects.order_by('id').first(); data = b'shared-media-' + bytes(range(256)); "
    "p = Photo(event=e, content_type='image/jpeg', size=len(data), sha256='x'); "
    "p.original.save('host-a.jpg', ContentFile(data), save=False); "
    "p.public.save('host-a.jpg', ContentFile(data)); print(p.pk)"
)


def test_a_photo_saved_on_one_host_is_served_by_the_other(platform):
    photo = platform.shell(PHOTO)  # host A's process writes into the shared media folder
    centre = Staff(platform.servers[1], "zhihui")
    served = centre.opener.open(f"{platform.servers[1]}/events/photos/{photo}/", timeout=30)
    assert served.read() == b"shared-media-" + bytes(range(256))


def test_an_account_locked_on_one_server_is_locked_on_the_other(platform):
    for _ in range(5):  # PINGAN_LOGIN_MAX_FAILURES
        assert not Staff(platform.servers[0], "chengguan", "not-the-password").signed_in
    assert not Staff(platform.servers[1], "chengguan").signed_in
    assert Staff(platform.servers[1], "zhifa").signed_in  # another account is not


def texts_sent(platform: Platform) -> list[tuple[float, str]]:
    """(when, to whom) of each of this test's texts the gateway took (the demo
    district queues some of its own), in the order it took them."""
    path = Path(platform.env["PINGAN_SMS_FILE"])
    lines = path.read_text().splitlines() if path.exists() else []
    found = [re.match(r"(\S+) SMS to (1390000\d+):", line) for line in lines]  # ours
    return [(dt.datetime.fromisoformat(m[1]).timestamp(), m[2]) for m in found if m]


def test_two_workers_send_each_text_once_and_take_over_a_killed_one(platform):
    values = ", ".join(
        f"('1390000{n:04d}', '多机测试短信 {n}', '', 'pending', 0, now())" for n in range(TEXTS)
    )
    platform.primary.sql(
        "INSERT INTO notices_outboundmessage (phone, text, about, status, attempts, created_at)"
        f" VALUES {values}",
        "pingan",
    )
    first = platform.worker()
    deadline = time.monotonic() + 60
    while len(texts_sent(platform)) < 3:  # a second a text: it is mid-round now
        assert time.monotonic() < deadline, "the first worker sent nothing"
        time.sleep(0.1)
    time.sleep(0.5)  # half way through the next text's second
    first.kill()  # SIGKILL: the lease is not given back, a text is claimed and unsent
    first.wait(10)
    killed_at = time.time()
    (lapses_at,) = platform.primary.sql(
        "SELECT extract(epoch FROM until) FROM jobs_lease WHERE name = 'notices.texts'", "pingan"
    )
    platform.worker(), platform.worker()
    deadline = time.monotonic() + 120
    while len({phone for _, phone in texts_sent(platform)}) < TEXTS:
        assert time.monotonic() < deadline, texts_sent(platform)
        time.sleep(0.2)
    sent = texts_sent(platform)
    # Nobody took the round over until the killed worker's lease lapsed…
    assert not [at for at, _ in sent if killed_at < at < float(lapses_at)]
    phones = [phone for _, phone in sent]
    # …and every text went out once: the one in the gateway's hands when the worker
    # died was never finished, and was sent again once its claim was stale.
    assert sorted(phones) == sorted(set(phones)), phones
    (unsent,) = platform.primary.sql(
        "SELECT count(*) FROM notices_outboundmessage WHERE status <> 'sent'", "pingan"
    )
    assert unsent == 0


def test_two_workers_mark_each_overdue_event_once(platform):
    if len(platform.workers) < 2:
        platform.worker(), platform.worker()
    ids = platform.shell(REPORT.replace("{count}", "10"))
    platform.primary.sql(
        "UPDATE events_event SET deadline = now() - interval '1 hour', "
        f"warn_at = now() - interval '2 hours' WHERE id IN ({ids.strip('[]')})",
        "pingan",
    )
    quoted = ",".join(f"'{pk.strip()}'" for pk in ids.strip("[]").split(","))
    query = (
        "SELECT count(*), count(DISTINCT object_id) FROM audit_journalentry"
        f" WHERE action = 'event.overdue' AND object_id IN ({quoted})"
    )
    deadline = time.monotonic() + 60
    while platform.primary.sql(query, "pingan")[1] < 10:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(2)  # a few more rounds of both workers
    assert platform.primary.sql(query, "pingan") == (10, 10)


def test_the_centres_reads_go_to_the_replica_behind_the_pooler(platform):
    replayed(platform.primary, platform.replica)
    admin = Staff(platform.nginx, "admin")
    assert "正常，落后主库" in admin.page("/system/")
    centre = Staff(platform.nginx, "zhihui")
    platform.replica.sql("SELECT pg_wal_replay_pause()")
    try:
        before = centre.reported()
        platform.shell(REPORT.replace("{count}", "1"))
        assert centre.reported() == before  # the replica, paused
        assert centre.reported(just_wrote=True) == before + 1  # the primary, via the pooler
    finally:
        platform.replica.sql("SELECT pg_wal_replay_resume()")


def test_a_restore_from_backup_verifies_the_journal(platform):
    backups = platform.base / "backups"
    backups.mkdir()
    shutil.chown(backups, "postgres", "postgres")
    env = {
        "PGHOST": "127.0.0.1",
        "PGPORT": str(platform.primary.port),
        "PGUSER": "postgres",
        "PINGAN_BACKUP_DIR": str(backups),
    }
    script = platform.base / "pingan-backup"
    shutil.copy(DEPLOY / "backup" / "pingan-backup", script)
    shutil.copy(DEPLOY / "backup" / "restore", platform.base / "restore")
    settings = [f"{key}={value}" for key, value in env.items()]
    made = as_postgres("env", *settings, str(script)).stdout.strip().splitlines()[-1]
    platform.shell(REPORT.replace("{count}", "3"))  # after the backup: only in the WAL
    (events,) = platform.primary.sql("SELECT count(*) FROM events_event", "pingan")
    (journal,) = platform.primary.sql("SELECT count(*) FROM audit_journalentry", "pingan")
    platform.primary.sql("SELECT pg_switch_wal()")
    (segment,) = platform.primary.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
    deadline = time.monotonic() + 30
    while not platform.primary.sql(
        f"SELECT last_archived_wal >= '{segment}' FROM pg_stat_archiver"
    )[0]:
        assert time.monotonic() < deadline, "the WAL was not archived"
        time.sleep(0.2)

    restored = Cluster(platform.base / "restored", free_port())
    as_postgres(str(platform.base / "restore"), made, str(restored.folder), str(platform.archive))
    try:
        restored.start("-c archive_mode=off")
        deadline = time.monotonic() + 60
        while restored.sql("SELECT pg_is_in_recovery()")[0]:
            assert time.monotonic() < deadline, "the restore did not finish"
            time.sleep(0.2)
        assert restored.sql("SELECT count(*) FROM events_event", "pingan") == (events,)
        (kept,) = restored.sql("SELECT count(*) FROM audit_journalentry", "pingan")
        assert kept >= journal  # the workers may have journaled since
        verify = subprocess.run(
            [str(BIN / "pingan"), "audit", "verify"],
            env={
                **platform.env,
                "DATABASE_URL": restored.url("pingan"),
                "DATABASE_REPLICA_URL": "",
                "PINGAN_DB_POOLER": "",
            },
            capture_output=True,
            text=True,
            check=True,
        )
        assert f"audit journal OK: {kept} rows, chain intact" in verify.stdout
    finally:
        restored.stop()
