"""`pingan gb28181`: the GB/T 28181 signalling endpoint over UDP. Devices register
(digest), keep alive, unregister; every datagram gets its reply or is counted as
malformed and dropped, never ending the listener."""

import signal
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from pingan.video.registrar import Registrar, registrar

MAX_DATAGRAM = 65_535


def serve(sock: socket.socket, rules: Registrar, stopped: threading.Event, once: bool = False):
    """Answer datagrams until stopped (or after one, for a test)."""
    sock.settimeout(0.5)
    while not stopped.is_set():
        try:
            data, (host, port) = sock.recvfrom(MAX_DATAGRAM)[:2]
        except TimeoutError:
            continue
        try:
            reply = rules.handle(data, f"{host}:{port}")
        except Exception:  # a bug in one message's handling must not end the listener
            rules.counters.by_reason["error"] = rules.counters.by_reason.get("error", 0) + 1
            reply = None
        if reply is not None:
            sock.sendto(reply, (host, port))
        if once:
            return


class Command(BaseCommand):
    help = "GB/T 28181 signalling endpoint (SIP over UDP) at PINGAN_SIP_BIND."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.SIP_BIND)

    def handle(self, *args, **options):
        host, _, port = options["bind"].rpartition(":")
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((host or "127.0.0.1", int(port)))
        stopped = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        rules = registrar()
        self.stdout.write(
            f"国标信令服务已启动：udp://{options['bind']}（平台编码 {settings.GB28181_ID}）"
        )
        self.stdout.flush()
        try:
            serve(sock, rules, stopped)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            sock.close()
            c = rules.counters
            self.stdout.write(
                f"收到 {c.received}，注册 {c.registered}，心跳 {c.keepalives}，"
                f"拒绝 {c.refused}，无法解析 {c.malformed}"
            )
