"""Installations of Pingan side by side, linked: the city 海东市 and its districts,
each its own `pingan serve` and `pingan worker` with its own SQLite in its own data
folder (or its own PostgreSQL database). `make federation` and
tests/test_federation.py run them; FaultyProxy stands between them in the test."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.server import BIN, free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Platform:
    name: str
    code: str
    data_dir: str
    port: int
    env: dict[str, str]
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, *args: str) -> str:
        for _ in range(3):
            done = subprocess.run(
                [str(BIN / "pingan"), *args],
                env=self.env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            # SQLite's lock outlasted its 20 s wait under the servers' writes: again.
            if "database is locked" not in done.stderr:
                break
        if done.returncode:
            said = done.stderr.strip().splitlines()[-5:]
            raise RuntimeError(f"{self.name}: pingan {args[0]} failed: " + " | ".join(said))
        return done.stdout

    def run(self, code: str) -> str:
        """Python run inside the installation (`pingan shell`), with this tree on
        sys.path: the last line it printed."""
        prelude = f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        return self.command("shell", "-c", prelude + code).strip().splitlines()[-1]


def _env(code: str, data_dir: str, port: int, settings: dict[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {
        "PINGAN_DATA_DIR": data_dir,
        "PINGAN_LINKS_REGION_CODE": code,
        "PINGAN_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
        "PINGAN_SIP_BIND": "off",
    }
    return env | settings


def platform_start(
    name: str,
    code: str,
    data_dir: str,
    *,
    city: bool = False,
    port: int | None = None,
    households: int | None = 1,
    worker_interval: float = 30,
    worker: bool = True,
    settings: dict[str, str] | None = None,
) -> Platform:
    """Migrate, load the demo (the city's or the district's) if empty, serve (and
    run its worker, unless not wanted yet: `worker_start`)."""
    if port is None:
        port = free_port()
    elif _answers(port):
        # Else the check below would take that server for ours.
        raise RuntimeError(f"端口 {port} 已被占用：先停止占用它的程序（如另一个 make run）")
    here = Platform(name, code, data_dir, port, _env(code, data_dir, port, settings or {}))
    here.command("migrate", "-v0")
    if city:
        here.command("demo_city", "--if-empty")
    else:
        sized = ["--households", str(households)] if households else []  # None: make run's
        here.command("demo", "--if-empty", *sized)
    serve = [str(BIN / "pingan"), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    _spawn(here, serve)
    if worker:
        worker_start(here, worker_interval)
    try:
        wait_for(port, 60)
    except BaseException:
        platform_stop(here)
        raise
    return here


def _answers(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def worker_start(here: Platform, interval: float = 30) -> None:
    _spawn(here, [str(BIN / "pingan"), "worker", "--interval", str(interval)])


def worker_stop(here: Platform) -> None:
    """Its worker stopped (a platform whose deliveries are held back)."""
    for process in [p for p in here.processes if "worker" in p.args]:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        here.processes.remove(process)


def _spawn(here: Platform, argv: list[str]) -> None:
    here.processes.append(
        subprocess.Popen(
            argv,
            env=here.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so it can be stopped whole
        )
    )


def platform_stop(here: Platform) -> None:
    for process in here.processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in here.processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def link_pair(upper: Platform, lower: Platform, key: str, *, via: str = "") -> None:
    """Each side told of the other (through `via`, a proxy's base, when given),
    with the same key, and the category tables mapped one to one."""
    upper_url = f"{via}/to/{upper.port}" if via else upper.url
    lower_url = f"{via}/to/{lower.port}" if via else lower.url
    upper.command(
        "link", "add", lower.code, lower_url, "--name", lower.name, "--side", "lower", "--key", key
    )
    lower.command(
        "link", "add", upper.code, upper_url, "--name", upper.name, "--side", "upper", "--key", key
    )
    upper.command("link", "map", lower.code, "--same")
    lower.command("link", "map", upper.code, "--same")


# ---- a network that drops, repeats, delays, reorders and fails -------------------

FAULTS = ("drop_before", "drop_after", "repeat", "delay", "reorder", "error_before", "error_after")


class FaultyProxy:
    """An HTTP proxy on 127.0.0.1 for POSTs to /to/<port>/<path>: `share` of them
    faulted, each fault drawn from FAULTS. While `down`, everything is answered 503
    (a link down for a while). Counts what it did in `done`."""

    def __init__(self, share: float = 0.3, seed: int = 630200) -> None:
        self.share = share
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.done: Counter[str] = Counter()
        self.down = False
        self.forwarded = threading.Condition()
        self.sent = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                proxy.handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FaultyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def _draw(self) -> str:
        with self.lock:
            if self.down:
                fault = "down"
            elif self.random.random() < self.share:
                fault = self.random.choice(FAULTS)
            else:
                fault = "pass"
            self.done[fault] += 1
            return fault

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        _, _, port, path = request.path.split("/", 3)
        fault = self._draw()
        if fault in ("down", "error_before"):
            return self._answer(request, 503, b'{"message":"unavailable"}')
        if fault == "drop_before":
            return self._drop(request)
        if fault == "delay":
            time.sleep(self.random.uniform(0.2, 1.5))
        if fault == "reorder":
            self._wait_for_another()
        status, answer = self._forward(int(port), "/" + path, request, body)
        if fault == "repeat":
            status, answer = self._forward(int(port), "/" + path, request, body)
        if fault == "drop_after":
            return self._drop(request)
        if fault == "error_after":
            return self._answer(request, 502, b'{"message":"bad gateway"}')
        self._answer(request, status, answer)

    def _wait_for_another(self) -> None:
        """Held until some later request has gone through (at most two seconds)."""
        with self.forwarded:
            seen = self.sent
            self.forwarded.wait_for(lambda: self.sent > seen, timeout=2)

    def _forward(self, port: int, path: str, request: BaseHTTPRequestHandler, body: bytes):
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith("webhook-")}
        headers["Content-Type"] = "application/json"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request("POST", path, body, headers)
            answer = connection.getresponse()
            result = answer.status, answer.read()
        except OSError:
            result = 502, b'{"message":"peer unreachable"}'
        finally:
            connection.close()
        with self.forwarded:
            self.sent += 1
            self.forwarded.notify_all()
        return result

    def _answer(self, request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _drop(self, request: BaseHTTPRequestHandler) -> None:
        request.close_connection = True
        with contextlib.suppress(OSError):
            request.connection.shutdown(2)


@contextlib.contextmanager
def running(platforms: list[Platform]) -> Iterator[list[Platform]]:
    try:
        yield platforms
    finally:
        for here in platforms:
            platform_stop(here)


def main() -> None:  # pragma: no cover - `make federation`
    """The city on :8001, the demo district on :8000, linked directly."""
    base = Path(os.environ.get("PINGAN_FEDERATION_DIR", ROOT / "var" / "federation"))
    (base / "city").mkdir(parents=True, exist_ok=True)
    (base / "district").mkdir(parents=True, exist_ok=True)
    key_file = base / "key"
    fresh = not key_file.exists()
    if fresh:
        from pingan.links.signing import new_secret

        key_file.write_text(new_secret())
    key = key_file.read_text().strip()
    started: list[Platform] = []
    # Ctrl-C (or a stop) at any moment stops whatever was started: the servers run
    # in their own sessions and would outlive this process.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt), running(started):
        # Each step crosses at the sender's next worker round: every 3 s here, so
        # whoever tries it sees the other side follow at once (30 s by default).
        quick = {"worker_interval": 3.0}
        started.append(
            platform_start("海东市", "630200", str(base / "city"), city=True, port=8001, **quick)
        )
        started.append(
            platform_start(
                "平安区", "630203", str(base / "district"), port=8000, households=None, **quick
            )
        )
        city, district = started
        if fresh:
            link_pair(city, district, key)
        print("海东市（市级平台）  http://127.0.0.1:8001/  shizhihui（市综治中心调度员）、shiadmin")
        print("平安区（区级平台）  http://127.0.0.1:8000/  zhihui（区综治中心调度员）、admin …")
        print("演示账号密码均为 pingan-demo-2026；区里「上报上级」到市，市里「交办下级平台」回区。")
        print("Ctrl-C 停止。", flush=True)
        while all(p.poll() is None for here in started for p in here.processes):
            time.sleep(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
