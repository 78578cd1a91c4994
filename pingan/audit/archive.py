"""Months of the journal moved out of the database into files, without breaking
the chain: each file holds a month's rows in order with their hashes, and a signed
anchor row (Archive) says where the rows left in the database begin. `audit
verify` walks from the anchor; `audit verify --archive FILE…` walks the files,
each from the one before, so the whole chain can still be checked end to end."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from pingan.audit.models import GENESIS, Archive, JournalEntry
from pingan.lib import partitions

TABLE = JournalEntry._meta.db_table
FIELDS = [f.attname for f in JournalEntry._meta.concrete_fields if f.attname != "id"]


class ArchiveError(ValueError):
    pass


def private(path: Path) -> Path:
    """An archive file only its owner can read: the rows carry names, phones and
    who did what, as the database did."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    return path


def anchor_signature(table: str, month: dt.date, last_seq: int, last_hash: str) -> str:
    body = f"{table}|{month:%Y-%m}|{last_seq}|{last_hash}"
    return hmac.new(settings.AUDIT_KEY.encode(), body.encode(), hashlib.sha256).hexdigest()


def anchor() -> Archive | None:
    """The journal's latest archived month: the rows in the database follow it."""
    return Archive.objects.filter(table=TABLE).order_by("-last_seq").first()


def anchor_valid(archive: Archive) -> bool:
    expected = anchor_signature(archive.table, archive.month, archive.last_seq, archive.last_hash)
    return hmac.compare_digest(expected, archive.signature)


def archive_month(month: dt.date, folder: Path) -> Archive:
    """Write the month's rows to `folder/audit_journalentry/YYYY-MM.jsonl.gz`, anchor
    the chain after them and drop the month's partition. Months go oldest first
    and never the current one, so the rows left stay one unbroken run."""
    if partitions.table(connection, TABLE) is None:
        raise ArchiveError("只有分区的日志（PostgreSQL）可以按月归档")
    held = partitions.months(connection, TABLE)
    if month not in held:
        raise ArchiveError(f"日志没有 {month:%Y-%m} 的分区")
    if month != held[0] or _older_rows_waiting(month):
        raise ArchiveError(f"请先归档 {month:%Y-%m} 以前的月份")
    if month >= partitions.month_start(timezone.localdate()):
        raise ArchiveError("本月的日志不能归档")
    path = private(folder / TABLE / f"{month:%Y-%m}.jsonl.gz")
    with transaction.atomic():
        end = partitions.begins(partitions.next_month(month))
        entries = JournalEntry.objects.filter(at__gte=partitions.begins(month), at__lt=end)
        first, last, rows = _write(entries.order_by("seq").iterator(chunk_size=5000), path)
        before = anchor()
        if rows and first.seq != (before.last_seq + 1 if before else 1):
            raise ArchiveError(f"日志第 {first.seq} 行之前的行不在数据库里，也没有归档")
        last_seq, last_hash = (last.seq, last.hash) if rows else _carried(before)
        archive = Archive.objects.create(
            table=TABLE,
            month=month,
            rows=rows,
            file=str(path),
            sha256=file_sha256(path),
            first_seq=first.seq if rows else 0,
            last_seq=last_seq,
            last_hash=last_hash,
            signature=anchor_signature(TABLE, month, last_seq, last_hash),
            at=timezone.now(),
        )
        partitions.drop(connection, TABLE, month)
    return archive


def _carried(before: Archive | None) -> tuple[int, str]:
    return (before.last_seq, before.last_hash) if before else (0, GENESIS)


def _older_rows_waiting(month: dt.date) -> bool:
    return JournalEntry.objects.filter(at__lt=partitions.begins(month)).exists()


def _write(entries: Iterator[JournalEntry], path: Path):
    first = last = None
    rows = 0
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for entry in entries:
            out.write(json.dumps(as_line(entry), ensure_ascii=False, sort_keys=True) + "\n")
            first, last, rows = first or entry, entry, rows + 1
    return first, last, rows


def as_line(entry: JournalEntry) -> dict:
    line = {name: getattr(entry, name) for name in FIELDS}
    line["at"] = entry.at.isoformat(timespec="microseconds")
    return line


def read(path: Path) -> Iterator[JournalEntry]:
    """The rows of an archive file, as the journal held them."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            item["at"] = dt.datetime.fromisoformat(item["at"])
            yield JournalEntry(**item)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
