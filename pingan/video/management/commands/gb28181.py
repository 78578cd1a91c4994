"""`pingan gb28181`: the GB/T 28181 signalling endpoint, SIP over UDP and TCP at
PINGAN_SIP_BIND. Devices register (digest), keep alive, answer the Catalog and
DeviceInfo queries, send alarms; every message gets its reply or is counted as
malformed and dropped, never ending the listener. SIGTERM stops it cleanly."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from pingan.video.listener import Listener
from pingan.video.registrar import registrar


class Command(BaseCommand):
    help = "GB/T 28181 signalling endpoint (SIP over UDP and TCP) at PINGAN_SIP_BIND."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.SIP_BIND)

    def handle(self, *args, **options):
        host, _, port = options["bind"].rpartition(":")
        rules = registrar(options["bind"])
        listener = Listener(rules, host or "127.0.0.1", int(port))
        rules.local = "{}:{}".format(*listener.address)
        stopped = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        self.stdout.write(
            f"国标信令服务已启动：udp/tcp://{rules.local}（平台编码 {settings.GB28181_ID}）"
        )
        self.stdout.flush()
        try:
            listener.serve(stopped)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            listener.close()
            c = rules.counters
            self.stdout.write(
                f"收到 {c.received}，注册 {c.registered}，心跳 {c.keepalives}，目录 {c.catalogs}，"
                f"报警 {c.alarms}，拒绝 {c.refused}，无法解析 {c.malformed}"
            )
