"""The GB/T 28181 registrar's rules, message in, replies out, with no socket: the
listener (`pingan gb28181`) feeds it datagrams. REGISTER is challenged and checked
by digest (RFC 2617, MD5); Expires is honoured, Expires 0 unregisters; a MESSAGE
Keepalive keeps a device online. A device not yet accepted is recorded and
answered, but changes no camera. Anything unreadable is counted and dropped."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from pingan.video import gbid, sip
from pingan.video.models import Camera, Device
from pingan.video.services import camera_status

NONCE_SECONDS = 300


@dataclass
class Counters:
    received: int = 0
    malformed: int = 0
    registered: int = 0
    refused: int = 0
    keepalives: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


class Registrar:
    def __init__(self, *, platform_id: str, password: str, secret: bytes | None = None):
        self.platform = gbid.parse(platform_id)
        self.realm = self.platform.realm
        self.password = password
        self.secret = secret or secrets.token_bytes(32)
        self.counters = Counters()

    # ---- the way in -----------------------------------------------------------

    def handle(self, data: bytes, source: str, now: dt.datetime | None = None) -> bytes | None:
        """The reply to one datagram, or None (dropped)."""
        self.counters.received += 1
        try:
            message = sip.parse(data)
        except sip.SipError:
            self.counters.malformed += 1
            return None
        if not message.is_request:
            return None  # answers to our own queries: not read yet
        now = now or timezone.now()
        if message.method == "REGISTER":
            return self._register(message, source, now).to_bytes()
        if message.method == "MESSAGE":
            return self._message(message, source, now).to_bytes()
        return _reply(message, 405, "Method Not Allowed").to_bytes()

    # ---- REGISTER -------------------------------------------------------------

    def _register(self, message: sip.Message, source: str, now: dt.datetime) -> sip.Message:
        device_id = sip.uri_user(message.get("From"))
        try:
            gbid.parse(device_id)
        except gbid.DeviceIdError:
            return self._refuse(message, 400, "Bad Device ID")
        expires = message.get("Expires")
        if not expires.isdigit():
            return self._refuse(message, 400, "Missing Expires")
        authorization = message.get("Authorization")
        if not authorization:
            return self._challenge(message, device_id, now)
        if not self._authentic(message, device_id, authorization, now):
            return self._refuse(message, 403, "Forbidden")
        self._registered(device_id, source, message, int(expires), now)
        reply = _reply(message, 200, "OK", tag=True)
        reply.headers += [
            ("Contact", message.get("Contact")),
            ("Expires", expires),
            ("Date", timezone.localtime(now).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]),
        ]
        return reply

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

    def _registered(
        self, device_id: str, source: str, message: sip.Message, expires: int, now: dt.datetime
    ) -> None:
        device, _ = Device.objects.get_or_create(device_id=device_id)
        device.address, device.transport = source, _transport(message)
        if expires == 0:
            device.expires_at = now
            device.save()
            self._camera(device, False, "主动注销", now)
            return
        device.registered_at, device.expires_at = now, now + dt.timedelta(seconds=expires)
        device.last_keepalive = now
        device.save()
        self.counters.registered += 1
        self._camera(device, True, "注册", now)

    # ---- MESSAGE --------------------------------------------------------------

    def _message(self, message: sip.Message, source: str, now: dt.datetime) -> sip.Message:
        device_id = sip.uri_user(message.get("From"))
        device = Device.objects.filter(device_id=device_id).first()
        if device is None or not device.expires_at or device.expires_at < now:
            return self._refuse(message, 403, "Not Registered")
        body = _text(message.body)
        if _element(body, "CmdType") == "Keepalive":
            self.counters.keepalives += 1
            Device.objects.filter(pk=device.pk).update(last_keepalive=now, address=source)
            self._camera(device, True, "心跳", now)
        return _reply(message, 200, "OK", tag=True)

    def _camera(self, device: Device, online: bool, reason: str, now: dt.datetime) -> None:
        """A device an administrator accepted moves its camera; one not accepted
        changes nothing (it is listed for an administrator on the cameras page)."""
        if not device.accepted:
            return
        camera = Camera.objects.filter(device_id=device.device_id).select_related("part").first()
        if camera is not None:
            camera_status(camera, online, reason=reason, at=now)

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


def _transport(message: sip.Message) -> str:
    via = message.get("Via").upper()
    return "TCP" if "/TCP" in via else "UDP"


def _text(body: bytes) -> str:
    """A MANSCDP body by its prolog's charset: GB2312/GBK read as GB18030 (their
    superset), else UTF-8, and UTF-8 when the declared one fails."""
    declared = re.search(rb'encoding="([A-Za-z0-9_-]+)"', body[:100])
    charset = declared.group(1).decode().upper() if declared else "UTF-8"
    if charset in ("GB2312", "GBK", "GB18030"):
        charset = "GB18030"
    for attempt in (charset, "UTF-8"):
        try:
            return body.decode(attempt)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", "replace")


def _element(xml: str, name: str) -> str:
    found = re.search(rf"<{name}>\s*([^<]*?)\s*</{name}>", xml)
    return found.group(1) if found else ""


def registrar() -> Registrar:
    return Registrar(platform_id=settings.GB28181_ID, password=settings.GB28181_PASSWORD)
