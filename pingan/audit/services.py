from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.audit.models import JournalEntry, JournalHead

GENESIS = "0" * 64


def _digest(entry: JournalEntry) -> str:
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
    return hashlib.sha256(canonical.encode()).hexdigest()


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
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class Breach:
    seq: int
    problem: str


def journal_verify() -> Iterator[Breach]:
    """Walk the chain; yield every row that was altered, removed or inserted."""
    expected_prev, expected_seq = GENESIS, 1
    for entry in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            yield Breach(expected_seq, f"rows {expected_seq}–{entry.seq - 1} are missing")
        if entry.prev_hash != expected_prev:
            yield Breach(entry.seq, "prev_hash does not match the row before it")
        if _digest(entry) != entry.hash:
            yield Breach(entry.seq, "content does not match its hash (row was altered)")
        expected_prev, expected_seq = entry.hash, entry.seq + 1
    head = JournalHead.objects.filter(pk=1).first()
    if head and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        yield Breach(head.seq, "the last rows of the journal are missing")
