"""Run the real app for browser tests and screenshots: a fresh SQLite database in
a temporary folder, the demo district loaded, gunicorn on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import os
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
def running_demo(households: int = 1, data_dir: str | None = None) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="pingan-live-") as tmp:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env["PINGAN_DATA_DIR"] = data_dir or tmp
        port = free_port()
        env["PINGAN_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
        pingan = str(BIN / "pingan")
        subprocess.run([pingan, "migrate", "-v0"], env=env, check=True)
        subprocess.run(
            [pingan, "demo", "--if-empty", "--households", str(households)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server = subprocess.Popen(
            [pingan, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(10)


def log_in(page, base: str, username: str, password: str = "pingan-demo-2026") -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
