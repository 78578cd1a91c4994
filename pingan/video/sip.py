"""A small, strict SIP message reader and writer for the GB/T 28181 endpoint (no
SIP library on PyPI is both kept up and small enough to trust here): a request or
response line, headers (compact forms expanded, folded lines joined), a body of
exactly Content-Length bytes. Anything else is a SipError, which the listener
counts and drops; it never raises past it. Plus the digest of RFC 2617 (MD5) that
cameras register with."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

MAX_MESSAGE = 64 * 1024  # a Catalog of a big NVR fits; anything larger is refused
COMPACT = {
    "v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length",
    "c": "Content-Type", "k": "Supported", "s": "Subject", "e": "Content-Encoding",
}  # fmt: skip
CANONICAL = {name.lower(): name for name in (
    "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Max-Forwards", "Expires",
    "Content-Length", "Content-Type", "Authorization", "WWW-Authenticate", "User-Agent",
    "Date", "Subject", "Supported", "Content-Encoding", "Allow",
)}  # fmt: skip
REQUEST_LINE = re.compile(r"^([A-Z]+) (\S+) SIP/2\.0$")
STATUS_LINE = re.compile(r"^SIP/2\.0 ([1-6][0-9]{2}) (.*)$")
PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]+)\s*(?:,|$)')


class SipError(ValueError):
    """Not a SIP message this endpoint will read."""


@dataclass
class Message:
    method: str = ""  # a request's, e.g. REGISTER
    uri: str = ""
    status: int = 0  # a response's, e.g. 200
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def get(self, name: str, default: str = "") -> str:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), default)

    def all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.get("CSeq").partition(" ")
        return int(number), method.strip()

    def to_bytes(self) -> bytes:
        first = (
            f"{self.method} {self.uri} SIP/2.0"
            if self.is_request
            else f"SIP/2.0 {self.status} {self.reason}"
        )
        headers = [(k, v) for k, v in self.headers if k.lower() != "content-length"]
        lines = [first, *(f"{k}: {v}" for k, v in headers), f"Content-Length: {len(self.body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


def parse(data: bytes) -> Message:
    """One message from a datagram (or a stream already cut at its length)."""
    if len(data) > MAX_MESSAGE:
        raise SipError("message too large")
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        raise SipError("no blank line after the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        raise SipError("headers are not UTF-8") from None
    lines = _unfold(text.split("\r\n"))
    message = _first_line(lines[0])
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name.strip() or " " in name.strip():
            raise SipError(f"bad header line: {line[:40]!r}")
        key = name.strip()
        key = COMPACT.get(key, CANONICAL.get(key.lower(), key))
        message.headers.append((key, value.strip()))
    _check(message)
    length = message.get("Content-Length")
    if length:
        if not length.isdigit():
            raise SipError("bad Content-Length")
        if len(body) < int(length):
            raise SipError("body shorter than Content-Length")
        body = body[: int(length)]
    message.body = body
    return message


def split_stream(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Cut a TCP stream into whole messages by their Content-Length (RFC 3261
    18.3, where it is required); returns them and what is left for later. Bytes
    that cannot begin a message are a SipError: the connection is dropped."""
    found: list[bytes] = []
    while True:
        buffer = buffer.lstrip(b"\r\n")  # keep-alive CRLFs between messages
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_MESSAGE:
                raise SipError("headers too long")
            return found, buffer
        head = buffer[:end]
        length = re.search(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*([0-9]+)[ \t]*$", head)
        size = end + 4 + (int(length.group(1)) if length else 0)
        if size > MAX_MESSAGE:
            raise SipError("message too large")
        if len(buffer) < size:
            return found, buffer
        found.append(buffer[:size])
        buffer = buffer[size:]


def _unfold(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for line in lines:
        if line[:1] in (" ", "\t") and joined:
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    if not joined or not joined[0]:
        raise SipError("empty message")
    return joined


def _first_line(line: str) -> Message:
    request = REQUEST_LINE.match(line)
    if request:
        return Message(method=request.group(1), uri=request.group(2))
    status = STATUS_LINE.match(line)
    if status:
        return Message(status=int(status.group(1)), reason=status.group(2))
    raise SipError(f"not a SIP request or status line: {line[:40]!r}")


def _check(message: Message) -> None:
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        if not message.get(name):
            raise SipError(f"missing {name}")
    number, _, method = message.get("CSeq").partition(" ")
    if not number.isdigit() or not method.strip():
        raise SipError("bad CSeq")


def uri_user(value: str) -> str:
    """The user part of the first SIP URI in a header: the device id in From/To."""
    found = re.search(r"sips?:([^@;>]+)@", value)
    return found.group(1) if found else ""


def header_params(value: str) -> dict[str, str]:
    """`Digest realm="…",nonce="…",qop=auth` as a dict, quotes removed."""
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest":
        raise SipError("not a Digest header")
    found = {}
    for match in PARAM.finditer(rest):
        raw = match.group(2)
        found[match.group(1).lower()] = raw[1:-1] if raw.startswith('"') else raw
    return found


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - RFC 2617 digest


def digest(
    *,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    nc: str = "",
    cnonce: str = "",
    qop: str = "",
) -> str:
    """The response a device computes (RFC 2617, MD5, lowercase hex)."""
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    if qop:
        return _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _md5(f"{ha1}:{nonce}:{ha2}")
