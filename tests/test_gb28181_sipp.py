"""The GB/T 28181 endpoint against `sipp` (Debian sip-tester) as a real device:
`pingan gb28181` runs on the demo district's own database, sipp registers with
and without the right password over UDP and TCP, keeps alive, answers the
platform's Catalog and DeviceInfo queries and raises an alarm; garbage packets
are counted and dropped; and the camera goes offline when the keepalives stop."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import BIN, free_port, pingan_command, pingan_shell

pytestmark = [
    pytest.mark.live,
    pytest.mark.timeout(300),
    pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp (Debian sip-tester) missing"),
]
SCENARIOS = Path(__file__).parent / "sipp"
PLATFORM = "63020300002000000001"
PASSWORD = "sipp-test-2026"
NVR = "63020300001180009001"
CHANNEL = "63020300001310009001"
KEEPALIVE = 1  # seconds: three missed ones take a second camera offline in the test
SETTINGS = {
    "PINGAN_GB28181_ID": PLATFORM,
    "PINGAN_GB28181_PASSWORD": PASSWORD,
    "PINGAN_CAMERA_KEEPALIVE_SECONDS": str(KEEPALIVE),
}


@pytest.fixture(scope="module")
def district() -> Iterator[str]:
    """The demo district's data folder, with the NVR accepted by an administrator."""
    with tempfile.TemporaryDirectory(prefix="pingan-sipp-") as data_dir:
        pingan_command(data_dir, "migrate", "-v0")
        pingan_command(data_dir, "demo", "--households", "1")
        pingan_shell(
            data_dir,
            "from pingan.video.models import Device; "
            f"Device.objects.create(device_id='{NVR}', accepted=True); print('ok')",
        )
        yield data_dir


@pytest.fixture(scope="module")
def endpoint(district) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "PINGAN_DATA_DIR": district, **SETTINGS}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [str(BIN / "pingan"), "gb28181", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert "国标信令服务已启动" in (process.stdout.readline() if process.stdout else "")
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)


def sipp(port: int, scenario: str, *extra: str, password=PASSWORD, device=NVR) -> int:
    command = [
        "sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIOS / scenario),
        "-key", "devid", device, "-key", "srvid", PLATFORM, "-key", "domain", PLATFORM[:10],
        "-au", device, "-ap", password, "-i", "127.0.0.1", "-p", str(free_port()),
        "-m", "1", "-nostdin", "-timeout", "30s", "-timeout_error", *extra,
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as logs:
        done = subprocess.run(command, cwd=logs, capture_output=True, timeout=60)
    return done.returncode


def shell(district: str, code: str) -> str:
    return pingan_shell(district, code, settings=SETTINGS)


def a_point(district: str) -> tuple[str, str]:
    """A point inside one of the district's grids (where a 部件 is)."""
    found = shell(district, "from pingan.things.models import Part; p = Part.objects.first(); "
                  "print(p.lng, p.lat)")  # fmt: skip
    lng, lat = found.split()
    return lng, lat


def test_a_wrong_password_is_refused(endpoint, district):
    assert sipp(endpoint, "refused.xml", password="wrong") == 0, "sipp saw 401 then 403"
    assert sipp(endpoint, "refused.xml") != 0, "with the right one it is not refused"


def test_register_keepalive_catalog_and_alarm_over_udp_then_silence(endpoint, district):
    lng, lat = a_point(district)
    where = ["-oocsf", str(SCENARIOS / "ooc.xml"), "-key", "chan", CHANNEL]
    assert sipp(endpoint, "device.xml", *where, "-key", "lng", lng, "-key", "lat", lat) == 0
    state = shell(
        district,
        "from pingan.video.models import Camera, Device, Alarm; "
        f"d = Device.objects.get(device_id='{NVR}'); "
        f"c = Camera.objects.get(device_id='{CHANNEL}'); "
        "a = Alarm.objects.get(source_id=c.device_id); "
        "print('|'.join(map(str, [d.transport, d.model, d.firmware, d.channels.get().name, "
        "c.via_id == d.pk, c.online, c.part.name, a.event.channel, a.event.category.code, "
        "a.event.grid_id == c.part.grid_id])))",
    )
    assert state.split("|") == [
        "UDP", "Sim-NVR", "3.6.1", "平安路口东", "True", "True", "平安路口东",
        "video", "ZZ02", "True",
    ]  # fmt: skip
    time.sleep(3 * KEEPALIVE + 1.5)  # three intervals without a keepalive
    swept = shell(
        district,
        "from pingan.video.health import sweep; from pingan.video.models import Camera; "
        f"sweep(); print(Camera.objects.get(device_id='{CHANNEL}').online)",
    )
    assert swept == "False"


def test_register_over_tcp(endpoint, district):
    lng, lat = a_point(district)
    where = ["-oocsf", str(SCENARIOS / "ooc.xml"), "-key", "chan", CHANNEL]
    extra = ["-t", "t1", "-key", "lng", lng, "-key", "lat", lat]
    assert sipp(endpoint, "device.xml", *where, *extra) == 0
    found = shell(district, f"from pingan.video.models import Device; "
                  f"print(Device.objects.get(device_id='{NVR}').transport)")  # fmt: skip
    assert found == "TCP"


def test_garbage_packets_are_dropped_and_the_endpoint_still_answers(endpoint, district):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for junk in (b"\x00\xff" * 50, b"REGISTER\r\n\r\n", os.urandom(1400), b"SIP/2.0 999\r\n"):
            udp.sendto(junk, ("127.0.0.1", endpoint))
    with socket.create_connection(("127.0.0.1", endpoint), timeout=5) as tcp:
        tcp.sendall(os.urandom(70_000))
        with contextlib.suppress(ConnectionResetError):
            assert tcp.recv(10) == b"", "a stream that is not SIP is closed"
    assert sipp(endpoint, "refused.xml", password="wrong") == 0, "still answering"


def test_the_simulated_devices_bring_the_demos_cameras_online_and_raise_an_alarm(
    endpoint, district
):
    first = "63020300001320000001"  # the demo accepted its device
    shell(
        district,
        "from pingan.video.models import Camera; "
        f"Camera.objects.filter(device_id='{first}').update(online=False); print('ok')",
    )
    script = Path(__file__).parent.parent / "scripts" / "gb28181_devices.py"
    done = subprocess.run(
        [str(BIN / "python"), str(script), "--server", f"127.0.0.1:{endpoint}", "--count", "2",
         "--interval", "1", "--alarm", "--duration", "5", "--password", PASSWORD],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.count("已注册") == 2, done.stdout + done.stderr
    found = shell(
        district,
        "from pingan.video.models import Camera, Alarm; "
        f"c = Camera.objects.get(device_id='{first}'); a = Alarm.objects.get(source_id='{first}'); "
        "print(c.online, c.via.model, a.event.channel)",
    )
    assert found == "True SIM-IPC video"
