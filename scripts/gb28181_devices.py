"""A handful of simulated GB/T 28181 devices against `make run`'s endpoint: each
registers with digest, keeps alive, and answers the platform's Catalog and
DeviceInfo queries; `--alarm` raises one intrusion alarm from the first camera.

The demo accepts the devices of its first eight cameras (6302030000132000000 1
to 8), so these bring real cameras online; more `--count` than that are listed
for an administrator to accept at /admin/video/device/. One process, one socket
per device, no threads.

    python scripts/gb28181_devices.py                # 5 cameras, keepalive every 60 s
    python scripts/gb28181_devices.py --count 3 --interval 10 --alarm --duration 120
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import selectors
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pingan.video import sip  # noqa: E402 - stdlib only, no Django needed

PLATFORM = os.environ.get("PINGAN_GB28181_ID", "63020300002000000001")
REALM = PLATFORM[:10]


def camera_id(number: int) -> str:
    return f"6302030000132{0}{number:06d}"


class Device:
    def __init__(self, device_id: str, server: tuple[str, int], password: str):
        self.id, self.server, self.password = device_id, server, password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.cseq = 0
        self.sn = 0
        self.registered = False
        self.call = secrets.token_hex(8)

    def _request(self, method: str, to: str, headers: list[tuple[str, str]], body: bytes = b""):
        self.cseq += 1
        message = sip.Message(
            method=method,
            uri=f"sip:{PLATFORM}@{REALM}",
            headers=[
                (
                    "Via",
                    f"SIP/2.0/UDP 127.0.0.1:{self.port};rport;branch=z9hG4bK{secrets.token_hex(6)}",
                ),
                ("From", f"<sip:{self.id}@{REALM}>;tag={secrets.token_hex(4)}"),
                ("To", f"<sip:{to}@{REALM}>"),
                ("Call-ID", self.call if method == "REGISTER" else secrets.token_hex(8)),
                ("CSeq", f"{self.cseq} {method}"),
                ("Max-Forwards", "70"),
                *headers,
            ],
            body=body,
        )
        self.sock.sendto(message.to_bytes(), self.server)

    def register(self, authorization: str = "") -> None:
        headers = [("Contact", f"<sip:{self.id}@127.0.0.1:{self.port}>"), ("Expires", "3600")]
        if authorization:
            headers.append(("Authorization", authorization))
        self._request("REGISTER", self.id, headers)

    def notify(self, cmd: str, extra: str = "") -> None:
        self.sn += 1
        xml = (
            f'<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>{cmd}</CmdType>\r\n'
            f"<SN>{self.sn}</SN>\r\n<DeviceID>{self.id}</DeviceID>\r\n{extra}</Notify>\r\n"
        )
        self._message(xml)

    def _message(self, xml: str) -> None:
        headers = [("Content-Type", "Application/MANSCDP+xml")]
        self._request("MESSAGE", PLATFORM, headers, xml.encode("gb18030"))

    def alarm(self) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S")
        self.notify(
            "Alarm",
            "<AlarmPriority>2</AlarmPriority>\r\n<AlarmMethod>5</AlarmMethod>\r\n"
            f"<AlarmTime>{now}</AlarmTime>\r\n<AlarmDescription>区域入侵</AlarmDescription>\r\n"
            "<Info>\r\n<AlarmType>6</AlarmType>\r\n</Info>\r\n",
        )

    def receive(self) -> None:
        data, source = self.sock.recvfrom(65535)
        message = sip.parse(data)
        if not message.is_request:
            self._response(message)
            return
        self.sock.sendto(_ok(message), source)  # the platform's query: 200 OK first
        found = re.search(rb"<CmdType>(\w+)</CmdType>.*?<SN>(\d+)</SN>", message.body, re.S)
        if found:
            self._answer(found.group(1).decode(), found.group(2).decode())

    def _response(self, message: sip.Message) -> None:
        if message.cseq[1] != "REGISTER":
            return
        if message.status == 401:
            params = sip.header_params(message.get("WWW-Authenticate"))
            uri = f"sip:{PLATFORM}@{REALM}"
            cnonce = secrets.token_hex(4)
            response = sip.digest(
                username=self.id, realm=params["realm"], password=self.password,
                method="REGISTER", uri=uri, nonce=params["nonce"], nc="00000001",
                cnonce=cnonce, qop="auth",
            )  # fmt: skip
            self.register(
                f'Digest username="{self.id}",realm="{params["realm"]}",nonce="{params["nonce"]}",'
                f'uri="{uri}",response="{response}",algorithm=MD5,cnonce="{cnonce}",qop=auth,'
                "nc=00000001"
            )
        elif message.status == 200:
            self.registered = True
            print(f"{self.id} 已注册")
        else:
            print(f"{self.id} 注册被拒绝：{message.status} {message.reason}")

    def _answer(self, cmd: str, sn: str) -> None:
        head = f"<CmdType>{cmd}</CmdType>\r\n<SN>{sn}</SN>\r\n<DeviceID>{self.id}</DeviceID>\r\n"
        if cmd == "Catalog":
            body = (
                '<SumNum>1</SumNum>\r\n<DeviceList Num="1">\r\n<Item>\r\n'
                f"<DeviceID>{self.id}</DeviceID>\r\n<Name>模拟摄像机</Name>\r\n"
                "<Manufacturer>Pingan</Manufacturer>\r\n<Model>SIM-IPC</Model>\r\n"
                "<Status>ON</Status>\r\n</Item>\r\n</DeviceList>\r\n"
            )
        elif cmd == "DeviceInfo":
            body = (
                "<DeviceName>模拟摄像机</DeviceName>\r\n<Result>OK</Result>\r\n"
                "<Manufacturer>Pingan</Manufacturer>\r\n<Model>SIM-IPC</Model>\r\n"
                "<Firmware>1.0</Firmware>\r\n<Channel>1</Channel>\r\n"
            )
        else:
            return
        self._message(
            f'<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n{head}{body}</Response>\r\n'
        )


def _ok(request: sip.Message) -> bytes:
    headers = [(k, v) for k, v in request.headers if k in ("Via", "From", "To", "Call-ID", "CSeq")]
    return sip.Message(status=200, reason="OK", headers=headers).to_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("PINGAN_SIP_BIND", "127.0.0.1:5060"))
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--interval", type=float, default=60, help="keepalive seconds")
    parser.add_argument(
        "--password", default=os.environ.get("PINGAN_GB28181_PASSWORD", "pingan-gb-2026")
    )
    parser.add_argument("--alarm", action="store_true", help="one alarm from the first camera")
    parser.add_argument("--duration", type=float, default=0, help="seconds, 0: until Ctrl-C")
    options = parser.parse_args()
    host, _, port = options.server.rpartition(":")
    server = (host, int(port))
    devices = [Device(camera_id(n), server, options.password) for n in range(1, options.count + 1)]
    chooser = selectors.DefaultSelector()
    for device in devices:
        chooser.register(device.sock, selectors.EVENT_READ, device)
        device.register()
    started = time.monotonic()
    next_keepalive = started + 2
    alarmed = not options.alarm
    try:
        while not options.duration or time.monotonic() - started < options.duration:
            for key, _ in chooser.select(0.5):
                try:
                    key.data.receive()
                except (sip.SipError, OSError) as exc:
                    print(f"{key.data.id}：{exc}")
            if time.monotonic() >= next_keepalive:
                for device in devices:
                    if device.registered:
                        device.notify("Keepalive", "<Status>OK</Status>\r\n")
                next_keepalive = time.monotonic() + options.interval
                if not alarmed and devices[0].registered:
                    devices[0].alarm()
                    alarmed = True
                    print(f"{devices[0].id} 发出报警（入侵检测）")
    except KeyboardInterrupt:
        pass
    finally:
        for device in devices:
            device.sock.close()


if __name__ == "__main__":
    main()
