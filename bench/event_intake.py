"""Sustained intake through the HTTP API: grid workers' reports posted to
/api/events (session login, CSRF, client UUID) on the real server (gunicorn, 2
workers), each one routed to its grid, checked for duplicates, journaled and
acknowledged with a receipt. SQLite, and PostgreSQL when one is reachable.

Target on PostgreSQL: >= 500 events/s with p99 < 100 ms on 2 cores. The load
generator runs on the same two cores, so the figures are a lower bound."""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
import uuid

from _setup import ROOT, percentile, postgres_url, report  # noqa: F401

from tests.server import running_demo

SECONDS = 20
CLIENTS = 8
BATCH = 20  # a phone's offline queue sent when the signal comes back
BATCH_CLIENTS = 2  # one phone per server worker: batching, not queueing, gives the rate
GRID = "630203102001001"  # wangge's grid in the demo district
CATEGORIES = ["CG01", "CG02", "CG05", "ZZ01", "ZZ04", "HB03"]


class Session:
    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username: str) -> None:
        _, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = f"csrfmiddlewaretoken={token}&username={username}&password=pingan-demo-2026"
        status, _ = self.request(
            "POST",
            "/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://x/login/"},
        )
        assert status == 302, status


def grid_points(session: Session, count: int) -> list[tuple[float, float]]:
    import shapely
    from shapely.geometry import shape

    _, data = session.request("GET", f"/api/regions/{GRID}/geojson?depth=0")
    polygon = shape(json.loads(data)["features"][0]["geometry"])
    minx, miny, maxx, maxy = polygon.bounds
    rng = random.Random(1)
    points = []
    while len(points) < count:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(polygon, x, y):
            points.append((x, y))
    return points


def one_report(rng: random.Random, points) -> dict:
    lng, lat = rng.choice(points)
    return {
        "category": rng.choice(CATEGORIES),
        "lng": lng,
        "lat": lat,
        "description": "基准测试上报",
        "client_uuid": str(uuid.uuid4()),
    }


def client_loop(base: str, points, batch: int, deadline: float, latencies, errors, counted):
    """Post single reports (batch=1, to /api/events) or batches (to /api/events/batch)
    until the deadline; latency is per HTTP request."""
    host, port = base.removeprefix("http://").split(":")
    session = Session(host, int(port))
    session.login("wangge")
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": session.cookies["csrftoken"],
        "Referer": base + "/",
    }
    rng = random.Random()
    while time.perf_counter() < deadline:
        if batch == 1:
            path, body = "/api/events", json.dumps(one_report(rng, points))
        else:
            items = [one_report(rng, points) for _ in range(batch)]
            path, body = "/api/events/batch", json.dumps({"items": items})
        started = time.perf_counter()
        status, data = session.request("POST", path, body, headers)
        elapsed = (time.perf_counter() - started) * 1000
        if batch == 1 and status == 201:
            latencies.append(elapsed)
            counted.append(1)
        elif batch > 1 and status == 200:
            created = sum(1 for item in json.loads(data) if item["status"] == 201)
            latencies.append(elapsed)
            counted.append(created)
            errors.extend([422] * (batch - created))
        else:
            errors.append(status)


def run(database_url: str | None, batch: int, clients: int = CLIENTS) -> dict:
    with running_demo(database_url=database_url, workers=2) as base:
        host, port = base.removeprefix("http://").split(":")
        probe = Session(host, int(port))
        probe.login("wangge")
        points = grid_points(probe, 500)
        latencies: list[float] = []
        errors: list[int] = []
        counted: list[int] = []
        deadline = time.perf_counter() + SECONDS
        threads = [
            threading.Thread(
                target=client_loop,
                args=(base, points, batch, deadline, latencies, errors, counted),
            )
            for _ in range(clients)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    return {
        "database": "postgresql" if database_url else "sqlite",
        "mode": "single" if batch == 1 else f"batch of {batch}",
        "events": sum(counted),
        "errors": len(errors),
        "events_per_s": round(sum(counted) / elapsed, 1),
        "request_p50_ms": round(percentile(latencies, 0.5), 1),
        "request_p99_ms": round(percentile(latencies, 0.99), 1),
        "clients": clients,
        "server_workers": 2,
        "seconds": SECONDS,
    }


def main() -> None:
    runs = []
    pg = postgres_url("pingan_bench_intake")
    for batch, clients in ((1, CLIENTS), (BATCH, BATCH_CLIENTS)):
        runs.append(run(None, batch, clients))
        if pg:
            runs.append(run(pg, batch, clients))
    report({"bench": "event_intake", "runs": runs})


if __name__ == "__main__":
    main()
