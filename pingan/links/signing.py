"""Standard Webhooks 1.0 signatures (v1, HMAC-SHA256): the sender signs
`{webhook-id}.{webhook-timestamp}.{body}` with each of its keys; the receiver
checks the three headers, the timestamp within five minutes of its own clock,
and any `v1,` signature against any of its keys, in constant time, over the raw
bytes, before it parses anything (reference/interfaces.md §3)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

from pingan.lib.errors import DomainError

TOLERANCE_SECONDS = 5 * 60
PREFIX = "whsec_"
_ID_LETTERS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, as in a ULID


class SignatureError(DomainError):
    """Why a message is refused; the message is Chinese, the code for machines."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def new_secret() -> str:
    """A fresh key: 32 random bytes, shown as `whsec_` + base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def key_bytes(secret: str) -> bytes:
    """The key a `whsec_…` secret stands for (the prefix and padding optional)."""
    text = secret.removeprefix(PREFIX).strip()
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("密钥不是 whsec_ 加 base64") from None
    if not 16 <= len(key) <= 64:
        raise ValueError("密钥长度应为 24 到 64 字节")
    return key


def new_id() -> str:
    """`msg_` and 26 letters: the milliseconds first (ids sort by time), then chance."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    letters = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        letters.append(_ID_LETTERS[digit])
    return "msg_" + "".join(reversed(letters))


def signature(webhook_id: str, timestamp: int, body: bytes, secret: str) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    mac = hmac.new(key_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(webhook_id: str, body: bytes, secrets_: Iterable[str], now: float) -> dict[str, str]:
    """The three headers for one attempt, signed by every key (so a receiver that
    has only the old key, or only the new, accepts it while keys rotate)."""
    timestamp = int(now)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(webhook_id, timestamp, body, s) for s in secrets_),
    }


def verify(given: Mapping[str, str], body: bytes, secrets_: Iterable[str], now: float) -> str:
    """The message's webhook id, when its headers and signature hold; else
    SignatureError. `given`: the request's headers (any case)."""
    lower = {name.lower(): value for name, value in given.items()}
    webhook_id = lower.get("webhook-id", "")
    stamp = lower.get("webhook-timestamp", "")
    signatures = lower.get("webhook-signature", "")
    if not (webhook_id and stamp and signatures):
        raise SignatureError(
            "missing_headers", "缺少 webhook-id、webhook-timestamp 或 webhook-signature"
        )
    if "." in webhook_id or len(webhook_id) > 40:
        raise SignatureError("bad_id", "webhook-id 无效")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("bad_timestamp", "webhook-timestamp 应为整数秒") from None
    skew = int(now) - timestamp
    if abs(skew) > TOLERANCE_SECONDS:
        raise SignatureError(
            "timestamp_out_of_range",
            f"消息时间与本平台时钟相差 {skew} 秒，超过 5 分钟（请校准时钟）",
        )
    offered = [part.split(",", 1)[1] for part in signatures.split() if part.startswith("v1,")]
    for secret in secrets_:
        expected = signature(webhook_id, timestamp, body, secret).split(",", 1)[1]
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            return webhook_id
    raise SignatureError("bad_signature", "签名无效")
