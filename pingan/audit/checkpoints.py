"""Signed checkpoints of the journal's head, outside the database. The chain in the
database proves each row follows the one before; it cannot prove the last rows were
not cut off with the head moved back. A checkpoint line (seq, hash, time, signed
with the audit key) in an append-only file can: verify finds the row it names
with the hash it names, or says what changed."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    keyed_from: int
    valid: bool  # the signature holds


def _sign(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(settings.AUDIT_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def checkpoint_read(path: Path | None = None) -> Iterator[Checkpoint]:
    path = path or settings.AUDIT_CHECKPOINTS
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            signature = item.pop("sig")
            body = {k: item[k] for k in ("seq", "hash", "at", "keyed_from")}
        except (ValueError, KeyError, TypeError):
            yield Checkpoint(0, "", "", 0, valid=False)
            continue
        valid = hmac.compare_digest(signature, _sign(body))
        yield Checkpoint(int(body["seq"]), body["hash"], body["at"], int(body["keyed_from"]), valid)


def checkpoint_write(path: Path | None = None) -> Checkpoint | None:
    """Append the head as it is now, unless the last checkpoint already holds it."""
    from pingan.audit.models import JournalHead

    path = path or settings.AUDIT_CHECKPOINTS
    head = JournalHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return None
    last = None
    for last in checkpoint_read(path):  # noqa: B007 - only the last one matters
        pass
    if last is not None and last.seq == head.seq and last.hash == head.hash:
        return None
    at = timezone.now().isoformat(timespec="seconds")
    body = {"seq": head.seq, "hash": head.hash, "at": at, "keyed_from": head.keyed_from}
    line = json.dumps({**body, "sig": _sign(body)}, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: each line goes to the end even with several writers.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return Checkpoint(head.seq, head.hash, at, head.keyed_from, valid=True)
