"""PostgreSQL clusters of our own for the tests that need more than one database
server: a primary, a streaming replica made from it by pg_basebackup, pgbouncer in
front, each in a temporary folder on a free 127.0.0.1 port, run as the postgres
user (as Debian runs them) and stopped afterwards."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

from tests.server import free_port, listening

BINDIR = max(glob("/usr/lib/postgresql/*/bin"), default="")
NEEDS_CLUSTERS = [
    pytest.mark.skipif(not BINDIR, reason="needs Debian's postgresql server binaries"),
    pytest.mark.skipif(os.geteuid() != 0, reason="runs the clusters as the postgres user"),
]


def as_postgres(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, text=True
    )


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


def owned_folder(prefix: str) -> Path:
    base = Path(tempfile.mkdtemp(prefix=prefix))
    shutil.chown(base, "postgres", "postgres")
    return base


@contextlib.contextmanager
def primary_and_replica(base: Path, *primary_options: str) -> Iterator[tuple[Cluster, Cluster]]:
    """A primary with the database `pingan`, and a hot standby streaming from it."""
    primary = Cluster(base / "primary", free_port())
    replica = Cluster(base / "replica", free_port())
    as_postgres(pg("initdb"), "-D", str(primary.folder), "-A", "trust", "-U", "postgres")
    try:
        primary.start("-c wal_level=replica -c max_wal_senders=4", *primary_options)
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


@contextlib.contextmanager
def pgbouncer(primary: Cluster, folder: Path, config: Path) -> Iterator[int]:
    """deploy/pgbouncer/pgbouncer.ini, pointed at `primary`, on a free port; trust
    instead of SCRAM (the clusters here trust loopback)."""
    port = free_port()
    text = config.read_text()
    text = text.replace("host=10.0.0.2 port=5432", f"host=127.0.0.1 port={primary.port}")
    text = text.replace("listen_addr = 0.0.0.0", "listen_addr = 127.0.0.1")
    text = text.replace("listen_port = 6432", f"listen_port = {port}")
    text = text.replace("auth_type = scram-sha-256", "auth_type = trust")
    text = text.replace("/etc/pgbouncer/userlist.txt", str(folder / "userlist.txt"))
    text += f"\nunix_socket_dir =\nlogfile = {folder / 'pgbouncer.log'}\n"
    (folder / "userlist.txt").write_text('"postgres" ""\n')
    (folder / "pgbouncer.ini").write_text(text)
    for path in [folder, *folder.iterdir()]:
        shutil.chown(path, "postgres", "postgres")
    command = ["runuser", "-u", "postgres", "--", "pgbouncer", str(folder / "pgbouncer.ini")]
    with listening(command, port):
        yield port


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


class Staff:
    """A signed-in user of the served demo, over plain HTTP."""

    def __init__(self, base: str, username: str, password: str = "pingan-demo-2026") -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.signed_in = self.sign_in(username, password)
        # Signing in wrote (a session): start with the replica's reads allowed.
        with contextlib.suppress(KeyError):
            self.jar.clear(domain="127.0.0.1", path="/", name="pingan_wrote")

    def sign_in(self, username: str, password: str) -> bool:
        """True when the server let this user in (the page after is not the form)."""
        self.opener.open(f"{self.base}/login/").read()
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        request = urllib.request.Request(
            f"{self.base}/login/",
            urllib.parse.urlencode(form).encode(),
            {"Referer": f"{self.base}/login/"},
        )
        try:
            answer = self.opener.open(request)
        except urllib.error.HTTPError as refused:  # a wrong password, a locked account
            refused.read()
            return False
        answer.read()
        return not answer.geturl().endswith("/login/")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def at(self, base: str) -> Staff:
        """The same browser (its cookies) talking to another server."""
        other = object.__new__(Staff)
        other.base, other.jar, other.opener = base, self.jar, self.opener
        other.signed_in = self.signed_in
        return other

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

    def api(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.csrf()}
        request = urllib.request.Request(f"{self.base}{path}", data, headers, method=method)
        try:
            answer = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"null")
        return answer.status, json.loads(answer.read() or b"null")

    def _cookies(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
