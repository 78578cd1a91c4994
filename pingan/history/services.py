"""Partitioned history: the worker makes months ahead; old months are archived to
files and their partitions dropped.

A month of events, work records or passages leaves the database the way Django
would delete it, but written down first: Django's Collector gathers the rows and
what hangs off them (an event's steps, photos, assignments; a visit's photos),
refuses when something still needs them (a supervision order, a parking stay),
and everything gathered goes to the month's file before it is deleted. Only
settled rows go: an event in a final state closed before the cut. A month whose
partition is then empty is dropped; rows still live keep it. The journal goes
last, by audit/archive.py, which anchors the chain where the database resumes.
The running counts are not touched: `pingan recount` leaves the archived months'
days as they are (events/counts.py)."""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.db import connection, models, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.audit import archive as journal
from pingan.audit.models import Archive
from pingan.audit.services import journal_write
from pingan.events.lifecycle import FINAL, StrOrPromise
from pingan.lib import partitions

CHUNK = 1000


def ahead_round(now: dt.datetime) -> str:
    made = [
        f"{table.name} {month:%Y-%m}"
        for table in partitions.tables(connection)
        for month in partitions.ensure(connection, table)
    ]
    return f"分区已建：{', '.join(made)}" if made else ""


NAMES = {
    "events_event": _("事件"),
    "events_step": _("事件的步骤"),
    "audit_journalentry": _("审计日志"),
    "fieldwork_workrecord": _("走访与工作记录"),
    "parking_passage": _("过车记录"),
}
# What may still need an archived month's rows, as the archive's report says it.
NEEDED_BY = {
    "command_supervisionnotice": "督办单",
    "convenience_propertycomplaint": "物业投诉",
    "parking_session": "停车记录",
    "events_event": "合并到它的事件",
}
# The month's column, as the status page says it.
COLUMNS = {"created_at": _("上报时间"), "at": _("发生时间")}


@dataclass(frozen=True)
class Held:
    """What one partitioned table holds, for the administrator's status page."""

    table: str
    name: StrOrPromise
    column: StrOrPromise  # in words: 上报时间, 发生时间
    months: list[dt.date]
    waiting: int  # rows outside every month, until the round gives them one
    archived: list[Archive]


def summary() -> list[Held]:
    archived: dict[str, list[Archive]] = {}
    for archive in Archive.objects.order_by("month"):
        archived.setdefault(archive.table, []).append(archive)
    return [
        Held(
            table.name,
            NAMES.get(table.name, table.name),
            COLUMNS.get(table.column, table.column),
            partitions.months(connection, table.name),
            partitions.waiting(connection, table.name),
            archived.get(table.name, []),
        )
        for table in partitions.tables(connection)
    ]


def _settled(table: str, cut: dt.datetime) -> models.Q | None:
    """Rows of a month that may leave the database; None: only with their owner
    (steps go with their events)."""
    if table == "events_event":
        # Closed before the cut, so no closing day on or after it loses a count.
        return models.Q(state__in=FINAL) & (
            models.Q(closed_at__isnull=True) | models.Q(closed_at__lt=cut)
        )
    if table in ("fieldwork_workrecord", "parking_passage"):
        return models.Q()
    return None


# Owners before what hangs off them, the journal (audit/archive.py) after all.
ORDER = ["events_event", "fieldwork_workrecord", "parking_passage", "events_step"]


@dataclass
class Outcome:
    table: str
    month: dt.date
    rows: int = 0
    left: int = 0  # rows still in the month's partition
    kept: set = field(default_factory=set)  # rows something still needs
    needed_by: set = field(default_factory=set)  # what needs them

    def __str__(self) -> str:
        said = f"{self.table} {self.month:%Y-%m}：归档 {self.rows} 行"
        if self.kept:
            said += f"，{len(self.kept)} 行仍被{'、'.join(sorted(self.needed_by))}引用"
        return said + ("，分区已删除" if not self.left else f"，留下 {self.left} 行")


def archive_before(before: dt.date, folder: Path, actor: Any = None) -> list[Outcome]:
    """Archive every month before `before` of every partitioned table."""
    if not partitions.tables(connection):
        raise journal.ArchiveError("只有 PostgreSQL 上的分区表可以按月归档")
    if before > partitions.month_start(timezone.localdate()):
        raise journal.ArchiveError("本月及以后的月份不能归档")
    outcomes = []
    held = {table.name: table for table in partitions.tables(connection)}
    for name in ORDER:
        for month in [m for m in partitions.months(connection, name) if m < before]:
            outcomes.append(archive_month(held[name], month, before, folder))
    for month in partitions.months(connection, journal.TABLE):
        if month >= before:
            break
        done = journal.archive_month(month, folder)
        outcomes.append(Outcome(journal.TABLE, month, done.rows))
    with transaction.atomic():
        journal_write(
            actor=actor,
            action="history.archived",
            object_type="history",
            object_id=f"{before:%Y-%m}",
            data={"months": [str(o) for o in outcomes], "folder": str(folder)},
        )
    return outcomes


def archive_month(
    partitioned: partitions.Table, month: dt.date, before: dt.date, folder: Path
) -> Outcome:
    table, column = partitioned.name, partitioned.column
    model = _model(table)
    outcome = Outcome(table, month)
    rule = _settled(table, partitions.begins(before))
    path = folder / table / f"{month:%Y-%m}.jsonl.gz"
    if rule is not None:
        end = partitions.begins(partitions.next_month(month))
        in_month = {f"{column}__gte": partitions.begins(month), f"{column}__lt": end}
        rows = model.objects.filter(rule, **in_month).order_by("pk").values_list("pk", flat=True)
        while chunk := list(rows.exclude(pk__in=outcome.kept)[:CHUNK]):
            try:
                outcome.rows += _take(model, chunk, path)
            except (ProtectedError, RestrictedError):
                # Something needs a row of these: the others still go, one by one.
                for pk in chunk:
                    _take_or_keep(model, pk, path, outcome)
    outcome.left = partitions.rows_in(connection, table, month)
    with transaction.atomic():
        if outcome.rows:
            _record(table, month, outcome.rows, path)
        if not outcome.left:
            partitions.drop(connection, table, month)
    return outcome


def _take(model: Any, pks: list, path: Path) -> int:
    """Write the rows and what hangs off them to the file, then delete them, in
    one transaction: a crash leaves them in the database (and perhaps in the file
    twice, which a restore deduplicates by model and key)."""
    with transaction.atomic():
        collector = Collector(using="default")
        collector.collect(model.objects.filter(pk__in=pks))
        gathered = [obj for objs in collector.data.values() for obj in objs]
        gathered += [obj for qs in collector.fast_deletes for obj in qs]
        with gzip.open(journal.private(path), "at", encoding="utf-8") as out:
            out.write(serializers.serialize("jsonl", gathered))
        collector.delete()
    return len(pks)


def _take_or_keep(model: Any, pk: Any, path: Path, outcome: Outcome) -> None:
    try:
        outcome.rows += _take(model, [pk], path)
    except (ProtectedError, RestrictedError) as refused:
        needing = (
            refused.protected_objects
            if isinstance(refused, ProtectedError)
            else refused.restricted_objects
        )
        outcome.kept.add(pk)
        outcome.needed_by |= {_needing(obj) for obj in needing}


def _needing(obj: models.Model) -> str:
    table = obj._meta.db_table
    return NEEDED_BY.get(table, str(obj._meta.verbose_name))


def _record(table: str, month: dt.date, rows: int, path: Path) -> None:
    archive, made = Archive.objects.get_or_create(
        table=table,
        month=month,
        defaults={"rows": rows, "file": str(path), "at": timezone.now()},
    )
    if not made:
        archive.rows += rows
    archive.sha256 = journal.file_sha256(path)
    archive.save()


def _model(table: str) -> Any:
    return next(m for m in apps.get_models() if m._meta.db_table == table)
