"""The GB/T 28181 registrar's rules, message in, messages out, with no socket: the
listener (`pingan gb28181`) feeds it what arrives over UDP or TCP and sends back
what it returns. REGISTER is challenged and checked by digest (RFC 2617, MD5);
Expires is honoured, Expires 0 unregisters; after a registration the platform
asks the device for its Catalog and DeviceInfo. A MESSAGE Keepalive keeps a
device online; Catalog packets are gathered to SumNum before they replace the
channel set; an Alarm becomes an event (alarms.py). A device not yet accepted is
recorded and answered, but changes no camera. Anything unreadable is counted and
dropped."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import re
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from pingan.video import alarms, devices, gbid, manscdp, sip
from pingan.video.models import Device

NONCE_SECONDS = 300
CATALOG_SECONDS = 60  # a Catalog whose packets stop arriving is given up after this


@dataclass
class Counters:
    received: int = 0
    malformed: int = 0
    registered: int = 0
    refused: int = 0
    keepalives: int = 0
    catalogs: int = 0
    alarms: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


@dataclass
class Gathering:
    """The packets of one Catalog answer (a device and SN) until SumNum arrive."""

    total: int
    started: dt.datetime
    items: dict[str, dict[str, str]] = field(default_factory=dict)


class Registrar:
    def __init__(
        self,
        *,
        platform_id: str,
        password: str,
        local: str = "127.0.0.1:5060",
        secret: bytes | None = None,
        batch_seconds: float = 0.0,
    ):
        self.platform = gbid.parse(platform_id)
        self.realm = self.platform.realm
        self.password = password
        self.local = local  # our address in the Via of the queries we send
        self.secret = secret or secrets.token_bytes(32)
        self.counters = Counters()
        self.gathering: dict[tuple[str, int], Gathering] = {}
        self.serials = itertools.count(secrets.randbelow(10_000) + 1)
        # Keepalives are answered at once and written together every batch_seconds
        # (0: each at once). Registered devices known here: id → (pk, expiry).
        self.batch_seconds = batch_seconds
        self.known: dict[str, tuple[int, dt.datetime]] = {}
        self.pending: dict[int, str] = {}  # device pk → the address it kept alive from
        self.flushed_at = time.monotonic()

    # ---- the way in -----------------------------------------------------------

    def handle(
        self, data: bytes, source: str, now: dt.datetime | None = None, transport: str = "UDP"
    ) -> list[bytes]:
        """What to send back to the source for one message: its reply and any
        queries that follow it; nothing when it is dropped."""
        self.counters.received += 1
        try:
            message = sip.parse(data)
        except sip.SipError:
            self.counters.malformed += 1
            return []
        if not message.is_request:
            return []  # a device's 200 OK to our query: its answer comes as a MESSAGE
        now = now or timezone.now()
        if message.method == "REGISTER":
            return self._register(message, source, now, transport)
        if message.method == "MESSAGE":
            return [self._message(message, source, now).to_bytes()]
        return [_reply(message, 405, "Method Not Allowed").to_bytes()]

    # ---- REGISTER -------------------------------------------------------------

    def _register(
        self, message: sip.Message, source: str, now: dt.datetime, transport: str
    ) -> list[bytes]:
        device_id = sip.uri_user(message.get("From"))
        try:
            gbid.parse(device_id)
        except gbid.DeviceIdError:
            return [self._refuse(message, 400, "Bad Device ID").to_bytes()]
        expires = message.get("Expires")
        if not expires.isdigit():
            return [self._refuse(message, 400, "Missing Expires").to_bytes()]
        authorization = message.get("Authorization")
        if not authorization:
            return [self._challenge(message, device_id, now).to_bytes()]
        if not self._authentic(message, device_id, authorization, now):
            return [self._refuse(message, 403, "Forbidden").to_bytes()]
        device = devices.device_registered(
            device_id, address=source, transport=transport, expires=int(expires), now=now
        )
        self.known[device_id] = (device.pk, device.expires_at or now)
        reply = _reply(message, 200, "OK", tag=True)
        reply.headers += [
            ("Contact", message.get("Contact")),
            ("Expires", expires),
            ("Date", timezone.localtime(now).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]),
        ]
        if int(expires) == 0:
            return [reply.to_bytes()]
        self.counters.registered += 1
        queries = [self._query(device, cmd, source, transport) for cmd in ("Catalog", "DeviceInfo")]
        return [reply.to_bytes(), *queries]

    def _query(self, device: Device, cmd: str, source: str, transport: str) -> bytes:
        """A <Query> MESSAGE to the address the device registered from (not its
        Contact, which behind NAT is an address nobody can reach)."""
        host = self.local.rpartition(":")[0]
        body = manscdp.query(cmd, next(self.serials), device.device_id, device.charset)
        return sip.Message(
            method="MESSAGE",
            uri=f"sip:{device.device_id}@{source}",
            headers=[
                ("Via", f"SIP/2.0/{transport} {self.local};rport;branch=z9hG4bK{_token()}"),
                ("From", f"<sip:{self.platform}@{self.realm}>;tag={_token()}"),
                ("To", f"<sip:{device.device_id}@{device.device_id[:10]}>"),
                ("Call-ID", f"{_token()}@{host}"),
                ("CSeq", "1 MESSAGE"),
                ("Content-Type", manscdp.CONTENT_TYPE),
                ("Max-Forwards", "70"),
            ],
            body=body,
        ).to_bytes()

    def _challenge(self, message: sip.Message, device_id: str, now: dt.datetime) -> sip.Message:
        reply = _reply(message, 401, "Unauthorized", tag=True)
        nonce = self._nonce(device_id, int(now.timestamp()))
        reply.headers.append(
            (
                "WWW-Authenticate",
                f'Digest realm="{self.realm}",qop="auth",nonce="{nonce}",algorithm=MD5',
            )
        )
        return reply

    def _nonce(self, device_id: str, stamp: int) -> str:
        """Stateless: the time and a MAC of the device and the time, so any process
        of the endpoint can check it and an old one expires."""
        mac = hmac.new(self.secret, f"{device_id}:{stamp}".encode(), hashlib.sha256)
        return f"{stamp:x}{mac.hexdigest()[:24]}"

    def _nonce_fresh(self, device_id: str, nonce: str, now: dt.datetime) -> bool:
        found = re.fullmatch(r"([0-9a-f]+)([0-9a-f]{24})", nonce)
        if not found:
            return False
        stamp = int(found.group(1), 16)
        if not 0 <= now.timestamp() - stamp <= NONCE_SECONDS:
            return False
        return hmac.compare_digest(self._nonce(device_id, stamp), nonce)

    def _authentic(
        self, message: sip.Message, device_id: str, authorization: str, now: dt.datetime
    ) -> bool:
        try:
            given = sip.header_params(authorization)
        except sip.SipError:
            return False
        if given.get("realm") != self.realm or not self._nonce_fresh(
            device_id, given.get("nonce", ""), now
        ):
            return False
        expected = sip.digest(
            username=given.get("username", device_id),
            realm=self.realm,
            password=self.password,
            method="REGISTER",
            uri=given.get("uri", ""),
            nonce=given["nonce"],
            nc=given.get("nc", ""),
            cnonce=given.get("cnonce", ""),
            qop=given.get("qop", ""),
        )
        return hmac.compare_digest(expected, given.get("response", ""))

    # ---- MESSAGE --------------------------------------------------------------

    def _message(self, message: sip.Message, source: str, now: dt.datetime) -> sip.Message:
        device_id = sip.uri_user(message.get("From"))
        try:
            body = manscdp.read(message.body)
        except manscdp.BodyError:
            return self._refuse(message, 400, "Bad Body")
        if body.cmd == "Keepalive" and self._keepalive(device_id, source, now):
            return _reply(message, 200, "OK", tag=True)
        device = Device.objects.filter(device_id=device_id).first()
        if device is None or not device.expires_at or device.expires_at < now:
            return self._refuse(message, 403, "Not Registered")
        self.known[device_id] = (device.pk, device.expires_at)
        if body.cmd == "Keepalive":
            self._keepalive(device_id, source, now)
        elif body.root == "Response" and body.cmd == "Catalog":
            self._catalog(device, body, now)
        elif body.root == "Response" and body.cmd == "DeviceInfo":
            devices.device_info(device, _values(body), body.charset)
        elif body.cmd == "Alarm":
            self.counters.alarms += 1
            alarms.alarm_receive(device, body, now)
        return _reply(message, 200, "OK", tag=True)

    def _keepalive(self, device_id: str, source: str, now: dt.datetime) -> bool:
        """A keepalive of a device known to be registered is answered at once and
        written with the others of the moment (`flush`); False when the device is
        not known here yet (the caller reads it from the database)."""
        known = self.known.get(device_id)
        if known is None or known[1] < now:
            return False
        self.counters.keepalives += 1
        self.pending[known[0]] = source
        if self.batch_seconds <= 0:
            self.flush(now)
        return True

    def flush(self, now: dt.datetime | None = None) -> None:
        """Write the keepalives gathered since the last flush."""
        if self.pending:
            seen, self.pending = self.pending, {}
            devices.devices_kept_alive(seen, now or timezone.now())
        self.flushed_at = time.monotonic()

    def tick(self) -> None:
        """Called by the listener each round: flush once the batch time is up."""
        if self.pending and time.monotonic() - self.flushed_at >= self.batch_seconds:
            self.flush()

    def _catalog(self, device: Device, body: manscdp.Body, now: dt.datetime) -> None:
        """Gather a Catalog's packets by (device, SN) to SumNum; only the whole
        set replaces the stored one. A gathering that stalls is dropped."""
        for key, gathering in list(self.gathering.items()):
            if (now - gathering.started).total_seconds() > CATALOG_SECONDS:
                del self.gathering[key]
        key = (device.device_id, body.sn)
        total = body.number("SumNum")
        gathering = self.gathering.setdefault(key, Gathering(total=total, started=now))
        for item in body.items():
            gathering.items[item.get("DeviceID", "")] = item  # a retransmission counts once
        if len(gathering.items) >= gathering.total:
            del self.gathering[key]
            self.counters.catalogs += 1
            devices.device_catalog(device, list(gathering.items.values()), now)

    def _refuse(self, message: sip.Message, status: int, reason: str) -> sip.Message:
        self.counters.refused += 1
        self.counters.by_reason[reason] = self.counters.by_reason.get(reason, 0) + 1
        return _reply(message, status, reason, tag=True)


def _reply(message: sip.Message, status: int, reason: str, tag: bool = False) -> sip.Message:
    """A response carrying the request's Via, From, To (tagged), Call-ID and CSeq."""
    to = message.get("To")
    if tag and ";tag=" not in to:
        to += f";tag={secrets.token_hex(4)}"
    headers = [("Via", via) for via in message.all("Via")]
    headers += [
        ("From", message.get("From")),
        ("To", to),
        ("Call-ID", message.get("Call-ID")),
        ("CSeq", message.get("CSeq")),
        ("User-Agent", "Pingan GB28181"),
    ]
    return sip.Message(status=status, reason=reason, headers=headers)


def _token() -> str:
    return secrets.token_hex(6)


def _values(body: manscdp.Body) -> dict[str, str]:
    return {child.tag: (child.text or "").strip() for child in body.tree if len(child) == 0}


BATCH_SECONDS = 1.0  # how late a keepalive may be written: well inside an interval


def registrar(local: str = "") -> Registrar:
    return Registrar(
        platform_id=settings.GB28181_ID,
        password=settings.GB28181_PASSWORD,
        local=local or settings.SIP_BIND,
        batch_seconds=BATCH_SECONDS,
    )
