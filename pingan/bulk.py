"""Inserting hundreds of thousands of rows at once, for imports.

`Model.objects.bulk_create` spends ~3 µs per value in Django's field machinery: 20 s
for a district's 226,127 people before the database sees a row. Here each column's
conversion is chosen once, the ids are reserved up front (so the caller can link
history and journal rows to them), and the rows go in by COPY on PostgreSQL and
one prepared INSERT run many times on SQLite. Call it inside a transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models, transaction

Convert = Callable[[Any], Any]
CHUNK = 5000


def bulk_insert(objects: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model, setting their primary keys."""
    if not objects:
        return
    model = type(objects[0])
    fields = model._meta.concrete_fields
    rows = [{f.attname: getattr(obj, f.attname) for f in fields} for obj in objects]
    for obj, pk in zip(objects, bulk_insert_values(model, rows), strict=True):
        obj.pk = pk
        obj._state.adding = False


def bulk_insert_values(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows given as {attname: value}; a missing column takes its default.
    Returns the new primary keys, in order."""
    if not rows:
        return []
    ids = _reserve_ids(model, len(rows))
    fields = list(model._meta.concrete_fields)
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    now = dt.datetime.now(dt.UTC)
    getters = [(f.attname, _default(f, now)) for f in fields]
    pk_index = [f.attname for f in fields].index(pk_name)
    # Most columns go in as they are; convert only those that need it.
    special = []
    for index, field in enumerate(fields):
        convert, default = _converter(field), getters[index][1]
        if convert is not _same or _stamped(field):
            special.append((index, convert, _stamped(field), default, convert(default)))

    def table_rows():
        for row, pk in zip(rows, ids, strict=True):
            values = [row.get(name, default) for name, default in getters]
            values[pk_index] = pk
            for index, convert, stamped, default, converted_default in special:
                value = values[index]
                if value is default or (value is None and stamped):
                    values[index] = converted_default
                else:
                    values[index] = convert(value)
            yield values

    columns = [f.column for f in fields]
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        _copy(table, columns, table_rows())
    else:
        _insert_counted(table, columns, table_rows(), ids)
    return ids


def _stamped(field: models.Field) -> bool:
    return isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)


def _default(field: models.Field, now: dt.datetime) -> Any:
    """What save() would put in a column the caller left out."""
    return now if _stamped(field) else field.get_default()


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the write lock (IMMEDIATE), so nobody else
        # can take these numbers before we insert them.
        # AUTOINCREMENT never reuses an id, even a deleted one: start past both.
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')
        start = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(start, row[0] if row else 0)
        return list(range(start + 1, start + 1 + count))


def _converter(field: models.Field) -> Convert:
    postgres = connection.vendor == "postgresql"
    if isinstance(field, models.JSONField):
        if postgres:
            from psycopg.types.json import Jsonb

            return lambda v: None if v is None else Jsonb(v)
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if postgres:
        if isinstance(field, models.DecimalField):
            return lambda v: v
        return _same
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else int(v)
    if isinstance(field, models.DecimalField):
        return lambda v: None if v is None else str(v)
    if isinstance(field, models.UUIDField):
        return lambda v: None if v is None else v.hex
    return _same


def _same(value: Any) -> Any:
    return value


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    # Django keeps SQLite datetimes as naive UTC text.
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def _copy(table: str, columns: list[str], rows) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


# Tables whose rows a trigger counts, by table: the apps that keep such counts say
# so here (registry/counting.py does, when its app is ready), since this module
# sits below every app and knows none of them.
COUNTED: dict[str, Any] = {}


def _insert_counted(table: str, columns: list[str], rows, ids: list[int]) -> None:
    """SQLite counts people and records row by row in a trigger (registry/counting.py);
    for a bulk insert, drop that trigger, insert, count the new rows in one
    statement and put the trigger back, all in one transaction, which SQLite's
    write lock keeps every other writer out of."""
    counted = COUNTED.get(table)
    if counted is None:
        _insert_many(table, columns, rows)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS {counted.name}_count_insert")
        _insert_many(table, columns, rows)
        cursor.execute(counted.add_sql(table, f"r.id BETWEEN {ids[0]} AND {ids[-1]}"))
        cursor.execute(counted.sqlite_insert_trigger())


def _insert_many(table: str, columns: list[str], rows) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(["?"] * len(columns))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    with connection.cursor() as cursor:
        raw = cursor.cursor  # sqlite3's own cursor: "?" placeholders, no rewriting
        batch: list[list] = []
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                raw.executemany(sql, batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)


def bulk_write(objects: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write these fields of stored instances of one model back, in one statement.
    Django's bulk_update builds a CASE for every field and row, which costs more
    than the database's work for a few dozen rows. PostgreSQL: one UPDATE … FROM
    (VALUES …) with each column cast to its type; SQLite: one prepared UPDATE run
    for each row."""
    if not objects:
        return
    model = type(objects[0])
    fields = [model._meta.get_field(name) for name in names]
    columns = [f.column for f in fields]  # type: ignore[union-attr]
    convert = [_converter(f) for f in fields]  # type: ignore[arg-type]
    table = model._meta.db_table
    rows = [
        [c(getattr(obj, f.attname)) for c, f in zip(convert, fields, strict=True)] + [obj.pk]  # type: ignore[union-attr]
        for obj in objects
    ]
    if connection.vendor == "postgresql":
        types = [f.db_type(connection) for f in fields]  # type: ignore[union-attr]
        one = "(" + ", ".join(f"%s::{t}" for t in types) + ", %s::bigint)"
        sets = ", ".join(f'"{c}" = v."{c}"' for c in columns)
        names_ = ", ".join(f'"{c}"' for c in columns)
        sql = (
            f'UPDATE "{table}" AS t SET {sets} FROM (VALUES {", ".join([one] * len(rows))}) '
            f'AS v({names_}, "pk") WHERE t."{model._meta.pk.column}" = v."pk"'
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in rows for value in row])
        return
    sets = ", ".join(f'"{c}" = ?' for c in columns)
    sql = f'UPDATE "{table}" SET {sets} WHERE "{model._meta.pk.column}" = ?'
    with connection.cursor() as cursor:
        cursor.cursor.executemany(sql, rows)  # sqlite3's own cursor: "?" placeholders


def analyze() -> None:
    """Statistics after a bulk load (PostgreSQL): until autovacuum gets round to a
    table filled in one go, the planner plans from the figures of an empty one and
    picks the wrong index (seen: a place's passages by a bitmap of every passage
    not a duplicate, 1.5 ms, instead of the place-plate-time index, 0.08 ms)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
