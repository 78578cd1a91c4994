from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pingan.audit import archive
from pingan.audit.checkpoints import Checkpoint, checkpoint_read
from pingan.audit.models import GENESIS, JournalEntry, JournalHead


def _digest(entry: JournalEntry, keyed: bool = True) -> str:
    """HMAC-SHA256 with the audit key over the row's canonical form (plain SHA-256
    for the rows written before the key existed)."""
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "region_path": entry.region_path,
        "ip": entry.ip,
        "reason": entry.reason,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if not keyed:
        return hashlib.sha256(canonical.encode()).hexdigest()
    key = settings.AUDIT_KEY.encode()
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Record:
    """One change to journal: who did what to which object, where and why."""

    actor: Any
    action: str
    object_type: str
    object_id: Any
    region_path: str = ""
    reason: str = ""
    data: dict | None = None
    ip: str = ""


def journal_write(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: Any,
    region_path: str = "",
    reason: str = "",
    data: dict | None = None,
    ip: str = "",
) -> JournalEntry:
    """Append one row. Call it inside the transaction of the change it records, so
    the change and its journal row are committed together or not at all."""
    record = Record(actor, action, object_type, object_id, region_path, reason, data, ip)
    return journal_write_many([record])[0]


def journal_write_many(records: list[Record]) -> list[JournalEntry]:
    """Append several rows under one lock of the chain's head, in order."""
    # No savepoint of its own: if the journal rows fail, the change they record
    # must fail with them.
    with transaction.atomic(savepoint=False):
        head, _ = JournalHead.objects.select_for_update().get_or_create(pk=1)
        at, seq, prev_hash = timezone.now(), head.seq, head.hash
        entries = []
        for record in records:
            seq += 1
            entry = JournalEntry(
                seq=seq,
                at=at,
                actor_id=getattr(record.actor, "pk", None),
                actor_name=getattr(record.actor, "username", "") or "",
                action=record.action,
                object_type=record.object_type,
                object_id=str(record.object_id),
                region_path=record.region_path,
                ip=record.ip,
                reason=record.reason,
                data=_json_safe(record.data or {}),
                prev_hash=prev_hash,
            )
            entry.hash = prev_hash = _digest(entry)
            entries.append(entry)
        JournalEntry.objects.bulk_create(entries)
        JournalHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return entries


def _json_safe(data: dict) -> dict:
    # Round-trip so the hash is computed over exactly what the database returns.
    plain: dict = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return plain


@dataclass(frozen=True)
class Breach:
    seq: int
    problem: str


def journal_verify(checkpoints: list[Checkpoint] | None = None) -> Iterator[Breach]:
    """Walk the chain against the audit key and the checkpoints outside the
    database; yield every row that was altered, removed or inserted. Months moved
    to archive files are not walked here: the walk starts from their signed anchor
    (journal_verify_files walks the files)."""
    if checkpoints is None:
        checkpoints = list(checkpoint_read())
    head = JournalHead.objects.filter(pk=1).first()
    keyed_from = _keyed_from(head)
    yield from _checkpoint_breaches(checkpoints, keyed_from)
    seen = {c.seq: c for c in checkpoints if c.valid}
    start = Link(1, GENESIS)
    if (anchor := archive.anchor()) is not None:
        if not archive.anchor_valid(anchor):
            yield Breach(anchor.last_seq, "the archive anchor's signature does not match the key")
        start = Link(anchor.last_seq + 1, anchor.last_hash)
    rows = JournalEntry.objects.order_by("seq").iterator(chunk_size=2000)
    end = yield from _walk(rows, start, keyed_from, seen)
    last = end.seq - 1
    if head and (head.seq != last or head.hash != end.prev):
        yield Breach(head.seq, "the last rows of the journal are missing")
    latest = max(seen.values(), key=lambda c: c.seq, default=None)
    if latest and latest.seq > last:
        yield Breach(
            last + 1,
            f"rows {last + 1}–{latest.seq} are missing: the checkpoint of {latest.at} saw them",
        )


def journal_verify_files(paths: list[Path]) -> Iterator[Breach]:
    """Walk archived months, oldest first, each from the one before; the last must
    end where the anchor says the database's rows begin."""
    keyed_from = _keyed_from(JournalHead.objects.filter(pk=1).first())
    end = Link(1, GENESIS)
    for path in paths:
        end = yield from _walk(archive.read(path), end, keyed_from, {})
    anchor = archive.anchor()
    if anchor and end.seq <= anchor.last_seq:
        yield Breach(end.seq, f"rows {end.seq}–{anchor.last_seq} are archived in other files")
    elif anchor and end.prev != anchor.last_hash:
        yield Breach(anchor.last_seq, "the files do not end where the archive anchor does")


def _keyed_from(head: JournalHead | None) -> int:
    """The first row hashed with the audit key (1: every row, when there is no head)."""
    return head.keyed_from if head else 1


@dataclass(frozen=True)
class Link:
    """Where the walk stands: the next row's seq and the hash it must follow."""

    seq: int
    prev: str


def _walk(
    entries: Iterable[JournalEntry], start: Link, keyed_from: int, seen: dict[int, Checkpoint]
) -> Generator[Breach, None, Link]:
    expected = start
    for entry in entries:
        if entry.seq != expected.seq:
            yield Breach(expected.seq, f"rows {expected.seq}–{entry.seq - 1} are missing")
        if entry.prev_hash != expected.prev:
            yield Breach(entry.seq, "prev_hash does not match the row before it")
        if _digest(entry, keyed=entry.seq >= keyed_from) != entry.hash:
            yield Breach(entry.seq, "content does not match its keyed hash (row was altered)")
        checkpoint = seen.get(entry.seq)
        if checkpoint and checkpoint.hash != entry.hash:
            yield Breach(entry.seq, f"differs from the checkpoint of {checkpoint.at}")
        expected = Link(entry.seq + 1, entry.hash)
    return expected


def _checkpoint_breaches(checkpoints: list[Checkpoint], keyed_from: int) -> Iterator[Breach]:
    for checkpoint in checkpoints:
        if not checkpoint.valid:
            yield Breach(checkpoint.seq, "a checkpoint's signature does not match the key")
        elif checkpoint.keyed_from != keyed_from:
            yield Breach(keyed_from, "where keyed rows begin was moved after a checkpoint")
