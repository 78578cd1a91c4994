"""The GB/T 28181 endpoint's sockets: one UDP socket and one TCP listener on the
same address, served by one thread with a selector (no thread per device, no
fork). A TCP stream is cut into messages by Content-Length; a connection that
sends what cannot be SIP is closed. Whatever one message does wrong is counted
and dropped: nothing ends the loop but `stop`."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from dataclasses import dataclass, field

from django.db import close_old_connections

from pingan.video import sip
from pingan.video.registrar import Registrar

MAX_DATAGRAM = 65_535
MAX_CONNECTIONS = 20_000
IDLE_SECONDS = 0.5  # how often the loop looks at `stopped`
log = logging.getLogger(__name__)


@dataclass
class Connection:
    sock: socket.socket
    peer: str
    buffer: bytes = field(default=b"")


class Listener:
    def __init__(self, rules: Registrar, host: str, port: int):
        self.rules = rules
        self.selector = selectors.DefaultSelector()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((host, port))
        self.udp.setblocking(False)
        port = self.udp.getsockname()[1]  # port 0: the one UDP got, TCP takes the same
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((host, port))
        self.tcp.listen(128)
        self.tcp.setblocking(False)
        self.address = (host, port)
        self.selector.register(self.udp, selectors.EVENT_READ, "udp")
        self.selector.register(self.tcp, selectors.EVENT_READ, "accept")
        self.connections: dict[int, Connection] = {}

    def serve(self, stopped: threading.Event, rounds: int | None = None) -> None:
        """Until stopped (or for a number of selector rounds, in a test)."""
        while not stopped.is_set() and rounds != 0:
            for key, _mask in self.selector.select(IDLE_SECONDS):
                if key.data == "udp":
                    self._datagram()
                elif key.data == "accept":
                    self._accept()
                else:
                    self._receive(key.data)
            self._safely(self.rules.tick)
            if rounds is not None:
                rounds -= 1

    def close(self) -> None:
        self._safely(self.rules.flush)
        for connection in list(self.connections.values()):
            self._drop(connection)
        for sock in (self.udp, self.tcp):
            self.selector.unregister(sock)
            sock.close()
        self.selector.close()

    # ---- UDP ------------------------------------------------------------------

    def _datagram(self) -> None:
        try:
            data, (host, port) = self.udp.recvfrom(MAX_DATAGRAM)[:2]
        except (BlockingIOError, ConnectionError):
            return  # ICMP unreachable from a dead peer surfaces here; timers count it
        for reply in self._answer(data, f"{host}:{port}", "UDP"):
            try:
                self.udp.sendto(reply, (host, port))
            except OSError:
                break

    # ---- TCP ------------------------------------------------------------------

    def _accept(self) -> None:
        try:
            sock, (host, port) = self.tcp.accept()[:2]
        except (BlockingIOError, ConnectionError):
            return
        if len(self.connections) >= MAX_CONNECTIONS:
            sock.close()
            return
        sock.settimeout(2)  # a reply that cannot be written in 2 s drops the peer
        connection = Connection(sock, f"{host}:{port}")
        self.connections[sock.fileno()] = connection
        self.selector.register(sock, selectors.EVENT_READ, connection)

    def _receive(self, connection: Connection) -> None:
        try:
            data = connection.sock.recv(MAX_DATAGRAM)
        except (TimeoutError, OSError):
            data = b""
        if not data:
            self._drop(connection)
            return
        try:
            messages, connection.buffer = sip.split_stream(connection.buffer + data)
        except sip.SipError:
            self.rules.counters.malformed += 1
            self._drop(connection)
            return
        for message in messages:
            for reply in self._answer(message, connection.peer, "TCP"):
                try:
                    connection.sock.sendall(reply)
                except OSError:
                    self._drop(connection)
                    return

    def _drop(self, connection: Connection) -> None:
        self.connections.pop(connection.sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError):  # already gone
            self.selector.unregister(connection.sock)
        connection.sock.close()

    def _answer(self, data: bytes, peer: str, transport: str) -> list[bytes]:
        return self._safely(lambda: self.rules.handle(data, peer, transport=transport)) or []

    def _safely(self, work):
        try:
            return work()
        except Exception:  # a bug in one message's handling must not end the listener
            log.exception("GB/T 28181 endpoint: %s failed", getattr(work, "__name__", "work"))
            counters = self.rules.counters
            counters.by_reason["error"] = counters.by_reason.get("error", 0) + 1
            close_old_connections()  # a database that went away is reconnected next time
            return None
