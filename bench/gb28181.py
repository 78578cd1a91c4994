"""The GB/T 28181 endpoint at 10,000 devices, over real UDP on 127.0.0.1: the
listener (pingan.video.listener, as `pingan gb28181` runs it) in a thread of this
process, devices played by one socket sending in windows of 50. Measured:
registrations per second (REGISTER, 401, REGISTER with digest, 200 and the two
queries that follow), keepalives per second of cameras already online, and of
cameras that were offline (each a status change: history row, journal row).
Target (issue 17): 10,000 devices keeping alive every 60 s, about 167 a second,
on 2 cores. Then the camera map layer (/api/video/cameras) at 10,000 cameras,
target p95 < 300 ms. SQLite, and PostgreSQL when one is reachable."""

from __future__ import annotations

import random
import socket
import sys
import threading
import time

from _setup import django_setup, on_each_database, percentile, report

DEVICES = 10_000
WINDOW = 50  # messages in flight at once
PLATFORM = "63020300002000000001"
REALM = PLATFORM[:10]
PASSWORD = "bench-2026"
RUNS = 30


def device_id(i: int) -> str:
    return f"6302030000132{i:07d}"


def build_cameras(grids) -> None:
    from pingan.things.models import Part, PartClass
    from pingan.video.models import Camera, Device

    part_class = PartClass.objects.get(code="0601")
    rng = random.Random(17)
    parts = Part.objects.bulk_create(
        [
            Part(
                code=f"6302030601{i + 1:06d}",
                part_class=part_class,
                name=f"摄像机{i}",
                lng=102.0 + rng.random() * 0.2,
                lat=36.4 + rng.random() * 0.2,
                grid=grids[i % len(grids)],
                region_path=grids[i % len(grids)].path,
            )
            for i in range(DEVICES)
        ],
        batch_size=2000,
    )
    devices = Device.objects.bulk_create(
        [Device(device_id=device_id(i), accepted=True) for i in range(DEVICES)], batch_size=2000
    )
    Camera.objects.bulk_create(
        [
            Camera(part=part, device_id=device.device_id, via=device, direction=rng.randrange(360))
            for part, device in zip(parts, devices, strict=True)
        ],
        batch_size=2000,
    )


def register(i: int, cseq: int = 1, authorization: str = "") -> bytes:
    device = device_id(i)
    lines = [
        f"REGISTER sip:{PLATFORM}@{REALM} SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK{i}r{cseq}",
        f"From: <sip:{device}@{REALM}>;tag={i}",
        f"To: <sip:{device}@{REALM}>",
        f"Call-ID: reg{i}",
        f"CSeq: {cseq} REGISTER",
        f"Contact: <sip:{device}@127.0.0.1:5070>",
        "Expires: 3600",
    ]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode()


def keepalive(i: int, sn: int) -> bytes:
    device = device_id(i)
    body = (
        '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n'
        f"<SN>{sn}</SN>\r\n<DeviceID>{device}</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n"
    ).encode()
    head = (
        f"MESSAGE sip:{PLATFORM}@{REALM} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK{i}k{sn}\r\n"
        f"From: <sip:{device}@{REALM}>;tag=k{i}\r\nTo: <sip:{PLATFORM}@{REALM}>\r\n"
        f"Call-ID: ka{i}-{sn}\r\nCSeq: {sn} MESSAGE\r\n"
        f"Content-Type: Application/MANSCDP+xml\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def answer(i: int, challenge) -> str:
    from pingan.video import sip

    params = sip.header_params(challenge.get("WWW-Authenticate"))
    uri = f"sip:{PLATFORM}@{REALM}"
    response = sip.digest(
        username=device_id(i), realm=params["realm"], password=PASSWORD, method="REGISTER",
        uri=uri, nonce=params["nonce"], nc="00000001", cnonce="c", qop="auth",
    )  # fmt: skip
    return (
        f'Digest username="{device_id(i)}",realm="{params["realm"]}",nonce="{params["nonce"]}",'
        f'uri="{uri}",response="{response}",algorithm=MD5,cnonce="c",qop=auth,nc=00000001'
    )


class Peer:
    """Every device behind one UDP socket: send a window, read back its answers
    (responses only; the platform's own queries are counted and left unanswered)."""

    def __init__(self, address):
        self.address = address
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(10)
        self.queries = 0

    def exchange(self, messages: list[bytes]) -> list:
        from pingan.video import sip

        answers = []
        for start in range(0, len(messages), WINDOW):
            window = messages[start : start + WINDOW]
            for data in window:
                self.sock.sendto(data, self.address)
            got = 0
            while got < len(window):
                message = sip.parse(self.sock.recvfrom(65535)[0])
                if message.is_request:
                    self.queries += 1
                    continue
                answers.append(message)
                got += 1
        return answers


def written(rules) -> None:
    """Until the listener has written every keepalive it answered (its last flush
    began after the last answer)."""
    answered = time.monotonic()
    while rules.pending or rules.flushed_at < answered:
        time.sleep(0.02)


def rate(count: int, started: float) -> float:
    return round(count / (time.perf_counter() - started), 1)


def endpoint_figures() -> dict:
    from pingan.video.listener import Listener
    from pingan.video.models import Camera, CameraStatus
    from pingan.video.registrar import BATCH_SECONDS, Registrar

    # As `pingan gb28181` runs: keepalives answered at once, written each second.
    rules = Registrar(platform_id=PLATFORM, password=PASSWORD, batch_seconds=BATCH_SECONDS)
    listener = Listener(rules, "127.0.0.1", 0)
    stopped = threading.Event()
    serving = threading.Thread(target=listener.serve, args=(stopped,), daemon=True)
    serving.start()
    peer = Peer(listener.address)
    figures: dict = {"devices": DEVICES}
    try:
        started = time.perf_counter()
        oks = []
        for first in range(0, DEVICES, WINDOW):  # as devices do: the challenge answered at once
            chunk = range(first, min(first + WINDOW, DEVICES))
            challenges = {c.get("Call-ID"): c for c in peer.exchange([register(i) for i in chunk])}
            oks += peer.exchange([register(i, 2, answer(i, challenges[f"reg{i}"])) for i in chunk])
        figures["registrations_per_s"] = rate(DEVICES, started)
        assert all(ok.status == 200 for ok in oks), "every device registered"
        figures["queries_sent"] = peer.queries
        figures["online_after_register"] = Camera.objects.filter(online=True).count()

        started = time.perf_counter()
        replies = peer.exchange([keepalive(i, 2) for i in range(DEVICES)])
        written(rules)
        figures["keepalives_per_s_steady"] = rate(DEVICES, started)
        assert all(r.status == 200 for r in replies)

        Camera.objects.update(online=False)  # as after a long silence
        before = CameraStatus.objects.count()
        started = time.perf_counter()
        peer.exchange([keepalive(i, 3) for i in range(DEVICES)])
        written(rules)
        figures["keepalives_per_s_status_change"] = rate(DEVICES, started)
        figures["online_after_keepalives"] = Camera.objects.filter(online=True).count()
        figures["status_rows_written"] = CameraStatus.objects.count() - before
        figures["needed_per_s"] = round(DEVICES / 60, 1)
        figures["malformed"] = rules.counters.malformed
    finally:
        stopped.set()
        serving.join(5)
        listener.close()
    return figures


def layer_figures(user) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(user)
    samples = []
    features = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get("/api/video/cameras")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
        features = len(response.json()["features"])
    return {
        "p50_ms": round(percentile(samples, 0.5), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "features": features,
    }


def child(url: str) -> None:
    vendor = django_setup(url or None)
    from parts_layer import build_tree

    user, grids = build_tree()
    build_cameras(grids)
    figures = {"bench": "gb28181", "database": vendor, **endpoint_figures()}
    figures["camera_layer_10000"] = layer_figures(user)
    report(figures)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2] if len(sys.argv) > 2 else "")
        return
    runs = on_each_database(__file__, "pingan_bench_gb28181")
    for run in runs:
        print(run)
    report({"bench": "gb28181", "runs": runs})


if __name__ == "__main__":
    main()
