"""Monthly partitions of the history tables on PostgreSQL (events, steps, the
journal, work records, parking passages); SQLite keeps plain tables.

PostgreSQL cannot hold a unique index on a partitioned table unless it includes
the partition's column, and a foreign key must point at such an index. So a table
that others point at, or with a column unique across months, keeps a narrow
*key table* beside it (`<table>_key`: the id, the month's column and the unique
columns), filled by statement triggers on every insert, update, delete and
truncate. The unique indexes move there, and the other tables' foreign keys
point there instead: the receipt stays unique across two years of months, and a
step still cannot name an event that does not exist. A table whose rows are
unique by construction (the journal: one writer at a time holds the chain's head)
needs none; its unique indexes gain the month's column instead.

Months are cut at midnight in the installation's time zone; a DEFAULT partition
takes what falls outside them (a clock set wrong, a back-dated import) until
`ensure` gives that month its own partition, moving the rows.

Django sees none of this: the model keeps `id` as its key and the ORM's queries
and inserts work unchanged."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

MONTH = re.compile(r"_p(\d{4})(\d{2})$")


@dataclass(frozen=True)
class Table:
    name: str
    column: str  # the month's column
    keyed: bool  # keeps a key table for foreign keys and unique columns


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def part_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def begins(month: dt.date, zone: str | None = None) -> dt.datetime:
    """The month's first moment in `zone`, by default the installation's."""
    return dt.datetime.combine(month, dt.time(), ZoneInfo(zone or settings.TIME_ZONE))


def _bound(month: dt.date, zone: str) -> str:
    return begins(month, zone).isoformat()


def _rows(cursor: Any, sql: str, params: tuple = ()) -> list[tuple]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def table(connection: BaseDatabaseWrapper, name: str) -> Table | None:
    """The partitioned table of that name, None where it is a plain one."""
    return next((t for t in tables(connection) if t.name == name), None)


def tables(connection: BaseDatabaseWrapper) -> list[Table]:
    """Every table partitioned here, with its month's column."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        found = _rows(
            cursor,
            "SELECT c.relname, a.attname, EXISTS (SELECT 1 FROM pg_class k "
            "  WHERE k.relname = c.relname || '_key' AND k.relnamespace = c.relnamespace) "
            "FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0] "
            "WHERE c.relnamespace = current_schema()::regnamespace ORDER BY c.relname",
        )
    return [Table(name, column, keyed) for name, column, keyed in found]


def months(connection: BaseDatabaseWrapper, table: str) -> list[dt.date]:
    """The months that have a partition of their own, oldest first."""
    with connection.cursor() as cursor:
        names = _rows(
            cursor,
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            (table,),
        )
    found = [MONTH.search(name) for (name,) in names]
    return sorted(dt.date(int(m[1]), int(m[2]), 1) for m in found if m)


def convert(connection: BaseDatabaseWrapper, table: Table, zone: str, ahead: int = 3) -> None:
    """Turn a plain table into one partitioned by month, keeping its rows, indexes,
    checks, triggers and the foreign keys to and from it. Runs in a migration, so
    all of it commits or none."""
    t, column = table.name, table.column
    with connection.cursor() as cursor:
        outbound = _constraints(cursor, "conrelid = %s::regclass AND contype = 'f'", t)
        inbound = _constraints(
            cursor, "confrelid = %s::regclass AND conrelid <> confrelid AND contype = 'f'", t
        )
        indexes = _indexes(cursor, [t])
        triggers = _triggers(cursor, t, skip="")
        if inbound and not table.keyed:
            raise ValueError(f"{t}: other tables point at it, so it needs a key table")
        for child, name, _ in inbound:
            cursor.execute(f'ALTER TABLE {child} DROP CONSTRAINT "{name}"')
        for _, name, _ in outbound:
            cursor.execute(f'ALTER TABLE {t} DROP CONSTRAINT "{name}"')
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}" ON {t}')
        (last_id,) = _rows(cursor, f"SELECT coalesce(max(id), 0) FROM {t}")[0]
        cursor.execute(f"ALTER TABLE {t} RENAME TO {t}_plain")
        cursor.execute(
            f"CREATE TABLE {t} (LIKE {t}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE) PARTITION BY RANGE ({column})"
        )
        # A table converted before and reverted has its ids from a sequence it owns:
        # the copy must not lean on that one, which goes with the plain table.
        cursor.execute(f"ALTER TABLE {t} ALTER id DROP DEFAULT")
        cursor.execute(f"CREATE TABLE {t}_pdefault PARTITION OF {t} DEFAULT")
        cursor.execute(f"INSERT INTO {t} SELECT * FROM {t}_plain")
        cursor.execute(f"DROP TABLE {t}_plain")
        cursor.execute(f"ALTER TABLE {t} ADD PRIMARY KEY (id, {column})")
        cursor.execute(f"CREATE SEQUENCE {t}_id_seq OWNED BY {t}.id")
        cursor.execute(f"SELECT setval('{t}_id_seq', %s, %s)", (max(last_id, 1), last_id > 0))
        cursor.execute(f"ALTER TABLE {t} ALTER id SET DEFAULT nextval('{t}_id_seq')")
        unique = [(name, sql, cols) for name, sql, is_unique, cols in indexes if is_unique]
        for _, sql, is_unique, _ in indexes:
            if not is_unique:
                cursor.execute(sql)
        if table.keyed:
            _key_table(cursor, t, column, unique)
        else:
            for name, _, cols in unique:
                listed = ", ".join([*cols, column])
                cursor.execute(f'CREATE UNIQUE INDEX "{name}" ON {t} ({listed})')
        _relink(cursor, outbound + inbound, triggers, t, f"{t}_key")
    ensure(connection, table, zone, ahead=ahead)


def revert(connection: BaseDatabaseWrapper, table: Table) -> None:
    """Back to a plain table, rows and all: `convert` undone, for a migration run
    backwards. The unique indexes come back from the key table (or lose the
    month's column), the foreign keys point at the table again."""
    t, column = table.name, table.column
    key = f"{t}_key"
    with connection.cursor() as cursor:
        # Other tables' keys to the key table; not the table's own (its self
        # references are among its outbound ones) nor their copies on partitions.
        inbound = _constraints(
            cursor,
            f"confrelid = %s::regclass AND conrelid <> '{t}'::regclass AND conparentid = 0 "
            "AND contype = 'f'",
            key if table.keyed else t,
        )
        outbound = _constraints(cursor, "conrelid = %s::regclass AND contype = 'f'", t)
        indexes = _indexes(cursor, [t, key] if table.keyed else [t])
        triggers = _triggers(cursor, t, skip=f"{key}_")
        where = _qualified(cursor, key if table.keyed else t)
        for child, name, _ in inbound:
            cursor.execute(f'ALTER TABLE {child} DROP CONSTRAINT "{name}"')
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}" ON {t}')
        cursor.execute(f"ALTER SEQUENCE {t}_id_seq OWNED BY NONE")
        cursor.execute(f"ALTER TABLE {t} RENAME TO {t}_parted")
        cursor.execute(
            f"CREATE TABLE {t} (LIKE {t}_parted INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE)"
        )
        cursor.execute(f"INSERT INTO {t} SELECT * FROM {t}_parted")
        cursor.execute(f"DROP TABLE {t}_parted CASCADE")
        if table.keyed:
            cursor.execute(f"DROP TABLE {key}")
            for event in ("insert", "delete", "update", "truncate"):
                cursor.execute(f"DROP FUNCTION IF EXISTS {key}_{event}()")
        cursor.execute(f"ALTER SEQUENCE {t}_id_seq OWNED BY {t}.id")
        cursor.execute(f"ALTER TABLE {t} ADD PRIMARY KEY (id)")
        for name, sql, is_unique, cols in indexes:
            if not is_unique:
                cursor.execute(sql.replace(" ON ONLY ", " ON "))
            elif table.keyed:  # as it stood on the key table, predicate and all
                cursor.execute(sql.replace(f" ON {where} ", f" ON {t} "))
            else:  # without the month's column it was given
                listed = ", ".join(c for c in cols if c != column)
                cursor.execute(f'CREATE UNIQUE INDEX "{name}" ON {t} ({listed})')
        _relink(cursor, outbound + inbound, triggers, key, t)


def _indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str, bool, list[str]]]:
    """(name, definition, unique, its columns in order) of each index but the key."""
    return _rows(
        cursor,
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisunique, "
        "ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) "
        "      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary",
        (tables,),
    )


def _triggers(cursor: Any, table: str, skip: str) -> list[tuple[str, str]]:
    """The table's own triggers (`skip`: a prefix of names not to take)."""
    rows = _rows(
        cursor,
        "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = %s::regclass AND NOT tgisinternal",
        (table,),
    )
    return [(name, sql) for name, sql in rows if not (skip and name.startswith(skip))]


def _relink(
    cursor: Any,
    keys: list[tuple[str, str, str]],
    triggers: list[tuple[str, str]],
    old: str,
    new: str,
) -> None:
    """Add the foreign keys back, those that pointed at `old` now at `new`, and
    the triggers."""
    for table, name, definition in keys:
        definition = definition.replace(f"REFERENCES {old}(", f"REFERENCES {new}(")
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    for _, definition in triggers:
        cursor.execute(definition)


def _constraints(cursor: Any, where: str, table: str) -> list[tuple[str, str, str]]:
    return _rows(
        cursor,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        f"FROM pg_constraint WHERE {where}",
        (table,),
    )


def _key_table(cursor: Any, t: str, column: str, unique: list[tuple[str, str, list[str]]]) -> None:
    """The key table, its unique indexes and the triggers that keep it."""
    extra = sorted({c for _, _, cols in unique for c in cols} - {"id", column})
    columns = ["id", column, *extra]
    types = dict(
        _rows(
            cursor,
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            (t,),
        )
    )
    listed = ", ".join(columns)
    body = ", ".join(f"{c} {types[c]}" for c in columns)
    cursor.execute(f"CREATE TABLE {t}_key ({body}, PRIMARY KEY (id))")
    cursor.execute(f"INSERT INTO {t}_key ({listed}) SELECT {listed} FROM {t}")
    for _, sql, _ in unique:
        cursor.execute(sql.replace(f" ON {_qualified(cursor, t)} ", f" ON {t}_key "))
    changed = " OR ".join(f"k.{c} IS DISTINCT FROM n.{c}" for c in columns[1:])
    assign = ", ".join(f"{c} = n.{c}" for c in columns[1:])
    bodies = {
        "insert": f"INSERT INTO {t}_key ({listed}) SELECT {listed} FROM new_rows",
        "delete": f"DELETE FROM {t}_key WHERE id IN (SELECT id FROM old_rows)",
        "update": (
            f"UPDATE {t}_key k SET {assign} FROM new_rows n WHERE k.id = n.id AND ({changed})"
        ),
        # After a TRUNCATE of the table (a test's flush) its keys go too; DELETE,
        # because the other tables' keys point here.
        "truncate": f"DELETE FROM {t}_key",
    }
    transitions = {
        "insert": "REFERENCING NEW TABLE AS new_rows",
        "delete": "REFERENCING OLD TABLE AS old_rows",
        "update": "REFERENCING NEW TABLE AS new_rows",
        "truncate": "",
    }
    for event, statement in bodies.items():
        cursor.execute(
            f"CREATE FUNCTION {t}_key_{event}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {statement}; RETURN NULL; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER {t}_key_{event} AFTER {event.upper()} ON {t} "
            f"{transitions[event]} FOR EACH STATEMENT EXECUTE FUNCTION {t}_key_{event}()"
        )


def _qualified(cursor: Any, table: str) -> str:
    """How pg_get_indexdef names the table: with its schema."""
    (name,) = _rows(
        cursor,
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s::regclass",
        (table,),
    )[0]
    return str(name)


def ensure(
    connection: BaseDatabaseWrapper,
    partitioned: Table,
    zone: str | None = None,
    ahead: int = 3,
    today: dt.date | None = None,
    since: dt.date | None = None,
) -> list[dt.date]:
    """Give this month (or every month from `since`), the next `ahead` months and
    every month with rows waiting in the DEFAULT partition a partition of their
    own; return the months made."""
    table, column, zone = partitioned.name, partitioned.column, zone or settings.TIME_ZONE
    today = today or dt.datetime.now(ZoneInfo(zone)).date()
    with connection.cursor() as cursor:
        waiting = _rows(
            cursor,
            f"SELECT DISTINCT date_trunc('month', {column} AT TIME ZONE %s)::date "
            f"FROM {table}_pdefault",
            (zone,),
        )
    wanted = {month for (month,) in waiting}
    month, last = month_start(since or today), month_start(today)
    for _ in range(ahead):
        last = next_month(last)
    while month <= last:
        wanted.add(month)
        month = next_month(month)
    made = sorted(wanted - set(months(connection, table)))
    for month in made:
        _create(connection, table, column, month, zone, moving=(month,) in waiting)
    return made


def _create(
    connection: BaseDatabaseWrapper,
    table: str,
    column: str,
    month: dt.date,
    zone: str,
    moving: bool,
) -> None:
    part = part_name(table, month)
    start, end = _bound(month, zone), _bound(next_month(month), zone)
    bounds = f"FOR VALUES FROM ('{start}') TO ('{end}')"
    with connection.cursor() as cursor:
        if not moving:
            cursor.execute(f"CREATE TABLE {part} PARTITION OF {table} {bounds}")
            return
        # Rows of this month wait in DEFAULT: PostgreSQL will not add the partition
        # while they are there. Detached, DEFAULT gives them up; inserting into the
        # partition itself (not the parent) leaves the key table as it is.
        in_month = f"{column} >= %s AND {column} < %s"
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {table}_pdefault")
        cursor.execute(f"CREATE TABLE {part} PARTITION OF {table} {bounds}")
        cursor.execute(
            f"INSERT INTO {part} SELECT * FROM {table}_pdefault WHERE {in_month}", (start, end)
        )
        cursor.execute(f"DELETE FROM {table}_pdefault WHERE {in_month}", (start, end))
        cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {table}_pdefault DEFAULT")


def rekey(connection: BaseDatabaseWrapper, table: str) -> int:
    """Fill the key table again from the table, after rows were loaded in bulk with
    the triggers off (bench/province.py); return the keys written."""
    with connection.cursor() as cursor:
        columns = [
            name
            for (name,) in _rows(
                cursor,
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                (f"{table}_key",),
            )
        ]
        listed = ", ".join(columns)
        cursor.execute(f"DELETE FROM {table}_key")
        cursor.execute(f"INSERT INTO {table}_key ({listed}) SELECT {listed} FROM {table}")
        return int(cursor.rowcount)


def waiting(connection: BaseDatabaseWrapper, table: str) -> int:
    """Rows in the DEFAULT partition: outside every month made so far."""
    return _count(connection, f"{table}_pdefault")


def rows_in(connection: BaseDatabaseWrapper, table: str, month: dt.date) -> int:
    return _count(connection, part_name(table, month))


def _count(connection: BaseDatabaseWrapper, relation: str) -> int:
    with connection.cursor() as cursor:
        (count,) = _rows(cursor, f"SELECT count(*) FROM {relation}")[0]
    return int(count)


def drop(connection: BaseDatabaseWrapper, table: str, month: dt.date) -> None:
    """Detach a month's partition and drop it. The caller has archived its rows;
    DETACH and DROP remove them without the table's row triggers, so the journal's
    refusal of DELETE stays as it is for everyone else."""
    part = part_name(table, month)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {part}")
        cursor.execute(f"DROP TABLE {part}")
