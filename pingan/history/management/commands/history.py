"""pingan history months | ahead | archive --before YYYY-MM --to FOLDER"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from pingan.audit.archive import ArchiveError
from pingan.history import services
from pingan.lib import partitions


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as bad:
        raise CommandError(f"月份应写成 YYYY-MM，如 2025-01：{text}") from bad


class Command(BaseCommand):
    help = (
        "Partitioned history on PostgreSQL: `months` lists each table's monthly "
        "partitions, `ahead` makes the coming months now (the worker does it every "
        "round), `archive --before YYYY-MM --to FOLDER` moves older months to files."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["months", "ahead", "archive"])
        parser.add_argument("--before", type=_month, help="archive the months before this one")
        parser.add_argument("--to", type=Path, help="folder for the archive files")

    def handle(self, *args, action: str, before=None, to=None, **options):
        if not partitions.tables(connection):
            raise CommandError("分区只在 PostgreSQL 上使用；这里的表没有分区")
        if action == "months":
            for table in partitions.tables(connection):
                held = partitions.months(connection, table.name)
                span = f"{held[0]:%Y-%m} … {held[-1]:%Y-%m}" if held else "无"
                self.stdout.write(f"{table.name}（按 {table.column}）：{len(held)} 个月 {span}")
        elif action == "ahead":
            self.stdout.write(services.ahead_round(dt.datetime.now()) or "各月分区都已在")
        else:
            if before is None or to is None:
                raise CommandError("归档需要 --before YYYY-MM 和 --to 文件夹")
            try:
                for outcome in services.archive_before(before, to):
                    self.stdout.write(str(outcome))
            except ArchiveError as refused:
                raise CommandError(str(refused)) from refused
