"""Partitioned history: months made ahead by the worker, old months archived."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection

from pingan.lib import partitions


def ahead_round(now: dt.datetime) -> str:
    made = [
        f"{table.name} {month:%Y-%m}"
        for table in partitions.tables(connection)
        for month in partitions.ensure(connection, table.name, settings.TIME_ZONE)
    ]
    return f"分区已建：{', '.join(made)}" if made else ""
