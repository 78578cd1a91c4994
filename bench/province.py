"""A province in one installation: 青海 as one PostgreSQL database, measured
through real app servers on this machine.

The volume (PINGAN_BENCH_PROVINCE_SCALE=1, the default): 青海省, its 8 cities and
prefectures, 44 counties, 396 townships, 3,960 villages, 15,840 grids (each with a
boundary, so intake locates every report), about 6,000,000 people and 10,000,000
events over two years, with their steps (the report, and each move after it) and
one journal row per step, and the running counts the overview sums. Everything is
generated inside PostgreSQL (INSERT … SELECT over generate_series: the same
machinery as COPY, without the rows crossing a socket), free disk checked first;
the generation time and the database's size are reported. The journal rows are
there for their size and their indexes: their hashes are not a chain
(`pingan audit verify` is not what this measures).

Then `pingan serve` (gunicorn, 2 processes) on the database, and
- the queue (/events/) and the overview (/command/) p95, for a centre at each level:
  province, city, county, township, village, each with the number of events in its
  scope (the cost curve: how a page's cost grows from a village's volume to a
  district's to the province's);
- person search p95 (/people/?q=, a name, at the province and the county);
- intake per second (POST /api/events by grid workers, 8 clients at once) with 1
  app server and with 2, the CPU each part used meanwhile (PostgreSQL, the app
  servers, the clients), per core, and which part was the limit; then again with
  servers of one process each (about a core apiece), 1 and 2 of them, for how
  intake grows with servers while there are cores for them.

Target: every page p95 < 300 ms at the province's volume. `python bench/province.py`
needs a PostgreSQL server (PINGAN_BENCH_PG) and about 60 GB free at full scale."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from _setup import PG_SERVER, ROOT, percentile, postgres_url, report

sys.path.insert(0, str(ROOT))
from tests.postgres import Staff  # noqa: E402
from tests.server import BIN, free_port, wait_for  # noqa: E402

SCALE = float(os.environ.get("PINGAN_BENCH_PROVINCE_SCALE", "1"))
PEOPLE = int(6_000_000 * SCALE)
EVENTS = int(10_000_000 * SCALE)
DAYS = 730
# 1: measure the database an earlier run generated (after a change to the app).
REUSE = os.environ.get("PINGAN_BENCH_PROVINCE_REUSE") == "1"
RUNS = int(os.environ.get("PINGAN_BENCH_PROVINCE_RUNS", "40"))
INTAKE_SECONDS = 20
CLIENTS = 8
BYTES_PER_EVENT = 4_900  # the event, ~6 steps and journal rows, indexes, key tables
BYTES_PER_PERSON = 1_100
PASSWORD = "pingan-bench-2026"
DATABASE = "pingan_bench_province"

# 青海: the cities and prefectures (GB/T 2260) and how many counties each has.
CITIES = [
    ("6301", "西宁市", 7),
    ("6302", "海东市", 6),
    ("6322", "海北藏族自治州", 4),
    ("6323", "黄南藏族自治州", 4),
    ("6325", "海南藏族自治州", 5),
    ("6326", "果洛藏族自治州", 6),
    ("6327", "玉树藏族自治州", 6),
    ("6328", "海西蒙古族藏族自治州", 6),
]
TOWNSHIPS = 9  # per county
VILLAGES = 10  # per township
GRIDS = 4  # per village
CELL = 0.02  # degrees: a grid's side
ROW = 160  # grids per row of the lattice the grids are laid out on


def disk_check(folder: str) -> dict:
    free = shutil.disk_usage(folder).free
    wanted = EVENTS * BYTES_PER_EVENT + PEOPLE * BYTES_PER_PERSON
    if free < wanted * 1.2:
        raise SystemExit(f"province bench: {wanted / 1e9:.0f} GB wanted, {free / 1e9:.0f} GB free")
    return {"free_gb": round(free / 1e9), "estimated_gb": round(wanted / 1e9)}


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["PINGAN_DATA_DIR"] = tempfile.mkdtemp(prefix="pingan-bench-province-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def sql(statement: str, params: tuple = ()) -> None:
    from django.db import connection

    if params:  # the statements' own % (modulo) are not placeholders
        statement = statement.replace("%", "%%").replace("%%s", "%s")
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def box(index: int) -> dict:
    """The square of the grid with this index on the lattice."""
    x = 90 + (index % ROW) * CELL
    y = 31 + (index // ROW) * CELL
    ring = [[x, y], [x + CELL, y], [x + CELL, y + CELL], [x, y + CELL], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def around(first: int, last: int) -> dict:
    """A box around the grids first..last (a parent's boundary, for its map)."""
    x0 = 90 + min(i % ROW for i in range(first, min(last, first + ROW) + 1)) * CELL
    x1 = 90 + (max(i % ROW for i in range(first, min(last, first + ROW) + 1)) + 1) * CELL
    y0, y1 = 31 + (first // ROW) * CELL, 31 + (last // ROW + 1) * CELL
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def tree() -> dict[str, str]:
    """The region tree, written row by row (20,000 rows); the codes of one node at
    each level, for the users who measure."""
    from pingan.bulk import bulk_insert_values
    from pingan.lib.divisions import Level, full_code
    from pingan.regions.models import Region

    def add(level: Level, code: str, name: str, parent: int | None, path: str, boundary: dict):
        return {
            "level": level,
            "code": code,
            "name": name,
            "parent_id": parent,
            "path": path,
            "boundary": boundary,
            "active": True,
            "household_count": 90 if level == Level.GRID else 0,
            "grid_type": "basic" if level == Level.GRID else "",
        }

    per_county = TOWNSHIPS * VILLAGES * GRIDS
    counties = sum(n for _, _, n in CITIES)
    whole = around(0, counties * per_county - 1)
    (province,) = bulk_insert_values(
        Region, [add(Level.PROVINCE, "630000000000", "青海省", None, "63", whole)]
    )
    county_index = 0
    for city_code, city_name, county_count in CITIES:
        first = county_index * per_county
        last = (county_index + county_count) * per_county - 1
        (city,) = bulk_insert_values(
            Region,
            [
                add(
                    Level.CITY,
                    full_code(Level.CITY, city_code),
                    city_name,
                    province,
                    city_code,
                    around(first, last),
                )
            ],
        )
        for n in range(1, county_count + 1):
            _county(add, city, f"{city_code}{n:02d}", f"{city_name}第{n}县", county_index)
            county_index += 1
    return CODES


def _county(add, city: int, code: str, name: str, index: int) -> None:
    from pingan.bulk import bulk_insert_values
    from pingan.lib.divisions import Level, full_code
    from pingan.regions.models import Region

    grid_index = index * TOWNSHIPS * VILLAGES * GRIDS
    per_township = VILLAGES * GRIDS
    span = TOWNSHIPS * per_township
    (county,) = bulk_insert_values(
        Region,
        [
            add(
                Level.DISTRICT,
                full_code(Level.DISTRICT, code),
                name,
                city,
                f"{code}/",
                around(grid_index, grid_index + span - 1),
            )
        ],
    )
    for t in range(1, TOWNSHIPS + 1):
        t_code = f"{code}{t:03d}"
        t_path = f"{code}/{t_code}/"
        first = grid_index + (t - 1) * per_township
        (township,) = bulk_insert_values(
            Region,
            [
                add(
                    Level.TOWNSHIP,
                    full_code(Level.TOWNSHIP, t_code),
                    f"{name}{t}镇",
                    county,
                    t_path,
                    around(first, first + per_township - 1),
                )
            ],
        )
        villages = []
        for v in range(1, VILLAGES + 1):
            v_code = f"{t_code}{v:03d}"
            v_first = first + (v - 1) * GRIDS
            villages.append(
                add(
                    Level.VILLAGE,
                    v_code,
                    f"{t_code[-3:]}镇{v}村",
                    township,
                    f"{t_path}{v_code}/",
                    around(v_first, v_first + GRIDS - 1),
                )
            )
        village_ids = bulk_insert_values(Region, villages)
        grids = []
        for v, village in enumerate(village_ids, start=1):
            v_code = f"{t_code}{v:03d}"
            for g in range(1, GRIDS + 1):
                at = first + (v - 1) * GRIDS + g - 1
                grids.append(
                    add(
                        Level.GRID,
                        f"{v_code}{g:03d}",
                        f"{v}村第{g}网格",
                        village,
                        f"{t_path}{v_code}/{v_code}{g:03d}/",
                        box(at),
                    )
                )
        bulk_insert_values(Region, grids)


# The states generated, by share (n % 100): most long since settled, the rest of the
# last month still moving; and the steps that took an event to each state.
LADDER = [
    ("report", "", "reported", "0"),
    ("accept", "reported", "accepted", "1 hour"),
    ("dispatch", "accepted", "dispatched", "2 hours"),
    ("sign", "dispatched", "handling", "3 hours"),
    ("handle", "handling", "handled", "1 day"),
    ("verify_pass", "handled", "closed", "2 days"),
    ("evaluate", "closed", "archived", "3 days"),
]
STATE_SQL = """CASE
  WHEN n % 100 < 78 THEN 'archived'
  WHEN n % 100 < 88 THEN 'closed'
  WHEN n % 100 < 91 THEN 'rejected'
  WHEN {recent} THEN (ARRAY['reported','accepted','dispatched','handling','handled'])[1 + n % 5]
  ELSE 'archived' END"""


def defaults(model, given: dict[str, str]) -> tuple[str, str, list]:
    """Columns, the SELECT list and its parameters: `given` (SQL expressions) for
    some columns, each other column's own default as a parameter."""
    columns, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in given:
            exprs.append(given[field.column])
        else:
            exprs.append("%s")
            value = field.get_default()
            params.append(field.get_db_prep_save(value, connection=_connection()))
    return ", ".join(columns), ", ".join(exprs), params


def _connection():
    from django.db import connection

    return connection


def events() -> None:
    from pingan.events.models import Event

    sql(
        "CREATE TEMP TABLE bench_grid AS SELECT (row_number() OVER (ORDER BY code)) - 1 AS idx,"
        " id, path, (boundary->'coordinates'->0->0->>0)::float + %s AS lng,"
        " (boundary->'coordinates'->0->0->>1)::float + %s AS lat"
        " FROM regions_region WHERE level = 'grid'",
        (CELL / 2, CELL / 2),
    )
    sql(
        "CREATE TEMP TABLE bench_category AS SELECT (row_number() OVER (ORDER BY id)) - 1"
        " AS idx, id FROM events_category WHERE parent_id IS NOT NULL"
    )
    seconds = DAYS * 86400 / EVENTS
    created = f"(now() - ({EVENTS} - n) * interval '{seconds:.6f} seconds')"
    state = STATE_SQL.format(recent=f"{created} > now() - interval '30 days'")
    closed = "st.state IN ('closed', 'archived')"
    columns, select, params = defaults(
        Event,
        {
            "receipt": "'Q' || lpad(n::text, 11, '0')",
            "category_id": "c.id",
            "channel": "(ARRAY['grid_worker','grid_worker','public','video','hotline'])[1 + n % 5]",
            "state": "st.state",
            "description": "'基准事件：' || n",
            "lng": "g.lng",
            "lat": "g.lat",
            "grid_id": "g.id",
            "region_path": "g.path",
            "created_at": "t.at",
            "updated_at": "t.at",
            "step_started_at": "t.at",
            "warn_at": "t.at + interval '2 days'",
            "deadline": "t.at + interval '3 days'",
            "closed_at": f"CASE WHEN {closed} THEN t.at + interval '2 days' END",
            "satisfaction": "CASE WHEN st.state = 'archived' THEN 4 + n % 2 END",
            "overdue": "st.state = 'handling' AND n % 7 = 0",
        },
    )
    grids = "(SELECT count(*) FROM bench_grid)"
    categories = "(SELECT count(*) FROM bench_category)"
    sql(
        f"INSERT INTO events_event ({columns}) SELECT {select}"
        f" FROM generate_series(1, {EVENTS}) n"
        f" JOIN bench_grid g ON g.idx = (n::bigint * 7919) % {grids}"
        f" JOIN bench_category c ON c.idx = n % {categories}"
        f" CROSS JOIN LATERAL (SELECT {created} AS at) t"
        f" CROSS JOIN LATERAL (SELECT {state} AS state) st"
        " ORDER BY n",  # ids in the order of time, as a live installation's
        tuple(params),
    )


def steps() -> None:
    from pingan.events.models import Step

    ladder = ", ".join(
        f"({rank}, '{action}', '{source}', '{target}', interval '{after}')"
        for rank, (action, source, target, after) in enumerate(LADDER, start=1)
    )
    ranks = {target: rank for rank, (_, _, target, _) in enumerate(LADDER, start=1)}
    rank_of = "CASE e.state " + " ".join(f"WHEN '{s}' THEN {r}" for s, r in ranks.items())
    rank_of += " WHEN 'rejected' THEN 1 END"
    columns, select, params = defaults(
        Step,
        {
            "event_id": "e.id",
            "action": "l.action",
            "from_state": "l.source",
            "to_state": "l.target",
            "actor_label": "'网格员'",
            "at": "e.created_at + l.after",
            "data": "'{}'::jsonb",
        },
    )
    sql(
        f"INSERT INTO events_step ({columns}) SELECT {select}"
        f" FROM events_event e JOIN (VALUES {ladder}) l(rank, action, source, target, after)"
        f" ON l.rank <= {rank_of} ORDER BY e.id, l.rank",
        tuple(params),
    )
    columns, select, params = defaults(
        Step,
        {
            "event_id": "e.id",
            "action": "'reject'",
            "from_state": "'reported'",
            "to_state": "'rejected'",
            "actor_label": "'村（社区）综治中心'",
            "at": "e.created_at + interval '1 hour'",
            "data": "'{}'::jsonb",
        },
    )
    sql(
        f"INSERT INTO events_step ({columns}) SELECT {select}"
        " FROM events_event e WHERE e.state = 'rejected'",
        tuple(params),
    )


def journal() -> None:
    from pingan.audit.models import JournalEntry

    columns, select, params = defaults(
        JournalEntry,
        {
            "seq": "s.id",
            "at": "s.at",
            "actor_name": "'bench'",
            "action": "'event.' || s.action",
            "object_type": "'event'",
            "object_id": "s.event_id::text",
            "region_path": "e.region_path",
            "data": "jsonb_build_object('state', s.to_state)",
            "prev_hash": "lpad(to_hex(s.id - 1), 64, '0')",
            "hash": "lpad(to_hex(s.id), 64, '0')",
        },
    )
    sql(
        f"INSERT INTO audit_journalentry ({columns}) SELECT {select}"
        " FROM events_step s JOIN events_event e ON e.id = s.event_id",
        tuple(params),
    )
    sql(
        "INSERT INTO audit_journalhead (id, seq, hash, keyed_from)"
        " SELECT 1, max(seq), max(hash), 1 FROM audit_journalentry"
        " ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash"
    )


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = [
    "芳",
    "伟",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "卓玛",
    "才让",
    "拉姆",
    "扎西",
    "索南",
    "德吉",
    "尼玛",
    "多杰",
]


def people() -> None:
    from pingan.registry.models import Person

    surnames = "ARRAY[" + ",".join(f"'{s}'" for s in SURNAMES) + "]"
    given = "ARRAY[" + ",".join(f"'{g}'" for g in GIVEN) + "]"
    columns, select, params = defaults(
        Person,
        {
            "grid_id": "g.id",
            "region_path": "g.path",
            "name": f"({surnames})[1 + n % {len(SURNAMES)}] || ({given})[1 + (n / {len(SURNAMES)}) % {len(GIVEN)}]",  # noqa: E501
            "gender": "CASE WHEN n % 2 = 0 THEN '1' ELSE '2' END",
            "birth_date": "date '1940-01-01' + (n % 29000)",
            "id_number_encrypted": "'g1:' || md5(n::text)",
            "id_number_hash": "md5('id' || n) || md5('number' || n)",
            "id_number_masked": "'63**************' || lpad((n % 100)::text, 2, '0')",
            "created_at": "now()",
            "updated_at": "now()",
        },
    )
    sql(
        f"INSERT INTO registry_person ({columns}) SELECT {select}"
        f" FROM generate_series(1, {PEOPLE}) n"
        f" JOIN bench_grid g ON g.idx = n % (SELECT count(*) FROM bench_grid)",
        tuple(params),
    )


# One node at each level, for the centres who measure.
CODES = {
    "province": "630000000000",
    "city": "630200000000",
    "county": "630202000000",
    "township": "630202001000",
    "village": "630202001001",
    "grid": "630202001001001",
}
LEVEL_ROLES = {
    "province": "city_centre",
    "city": "city_centre",
    "county": "district_centre",
    "township": "township_centre",
    "village": "village_centre",
}


def users(codes: dict[str, str]) -> list[tuple[str, float, float]]:
    """A centre at each level, and a grid worker in each of CLIENTS counties (the
    reporters of the intake run): each worker's username and a point in its grid."""
    from pingan.accounts.services import user_create
    from pingan.regions.models import Region

    for level, role in LEVEL_ROLES.items():
        region = Region.objects.get(code=codes[level])
        user_create(
            actor=None,
            username=f"c_{level}",
            password=PASSWORD,
            role=role,
            region=region,
            check_password=False,
        )
    grids = Region.objects.filter(level="grid", code__endswith="001001001").order_by("code")
    for n, grid in enumerate(grids[:CLIENTS]):
        user_create(
            actor=None,
            username=f"w_{n}",
            password=PASSWORD,
            role="grid_worker",
            region=grid,
            check_password=False,
        )
    return reporters()


def reporters() -> list[tuple[str, float, float]]:
    from pingan.accounts.models import User

    workers = User.objects.filter(username__startswith="w_").select_related("region")
    return [(w.username, *w.region.inner_point()) for w in workers.order_by("username")]


GENERATED = {
    "events": "events_event",
    "steps": "events_step",
    "journal": "audit_journalentry",
    "people": "registry_person",
}


@contextlib.contextmanager
def loading(table: str | None) -> Iterator[None]:
    """Rows in bulk: the table's plain indexes dropped and built again after (one
    sort each, rather than millions of insertions into each), and no foreign-key
    trigger per row (the rows refer to rows made just before)."""
    from django.db import connection

    from pingan.lib import partitions

    with connection.cursor() as cursor:
        definitions: list[tuple[str, str]] = []
        if table:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                (table,),
            )
            definitions = cursor.fetchall()
        for name, _ in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
        # A partitioned table's index is listed ON ONLY the parent; built again
        # from that, it would cover no partition.
        definitions = [(name, sql.replace(" ON ONLY ", " ON ")) for name, sql in definitions]
        if table and table != "registry_person":  # its counts are kept by a trigger
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
            for _, definition in definitions:
                cursor.execute(definition)
            # The key tables' triggers were off with the rest (lib/partitions.py).
            if table and table in {t.name for t in partitions.tables(connection) if t.keyed}:
                partitions.rekey(connection, table)


def months() -> None:
    """A partition for every month of the two years, before the rows come."""
    from django.db import connection

    from pingan.lib import partitions

    first = dt.date.today() - dt.timedelta(days=DAYS + 31)
    for table in partitions.tables(connection):
        partitions.ensure(connection, table, since=first)


def generate(url: str) -> dict:
    django_setup(url)
    from pingan.events import counts

    sql("SET maintenance_work_mem = '1GB'")
    sql("SET work_mem = '256MB'")
    sql("SET synchronous_commit = off")
    months()
    figures: dict = {}
    for name, step in [
        ("tree", tree),
        ("events", events),
        ("steps", steps),
        ("journal", journal),
        ("people", people),
    ]:
        started = time.perf_counter()
        with loading(GENERATED.get(name)):
            made = step()
        figures[f"{name}_s"] = round(time.perf_counter() - started, 1)
        if name == "tree":
            codes = made
    started = time.perf_counter()
    counts.recount()
    figures["counts_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    sql("VACUUM ANALYZE")
    figures["analyze_s"] = round(time.perf_counter() - started, 1)
    figures["workers"] = users(codes)
    figures["codes"] = codes
    return figures


def database_facts(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        rows = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in (
                "events_event",
                "events_step",
                "audit_journalentry",
                "registry_person",
                "regions_region",
            )
        }
    return {"size_gb": round(size / 1e9, 1), "rows": rows}


def scope_events(url: str, codes: dict[str, str]) -> dict[str, int]:
    import psycopg

    from pingan.lib.divisions import Level, code_path

    prefixes = {
        "province": "63",
        "city": codes["city"][:4],
        "county": code_path(codes["county"], Level.DISTRICT),
        "township": code_path(codes["township"], Level.TOWNSHIP),
        "village": code_path(codes["village"], Level.VILLAGE),
    }
    with psycopg.connect(url, autocommit=True) as conn:
        return {
            level: conn.execute(
                "SELECT count(*) FROM events_event WHERE region_path LIKE %s", (prefix + "%",)
            ).fetchone()[0]
            for level, prefix in prefixes.items()
        }


class Servers:
    """`pingan serve` processes on the bench database, each `processes` gunicorn
    workers (2: the pages and the first intake figures; 1: a server per core, for
    how intake grows with servers)."""

    def __init__(self, url: str, count: int, processes: int = 2) -> None:
        self.data = tempfile.mkdtemp(prefix="pingan-bench-serve-")
        self.ports = [free_port() for _ in range(count)]
        origins = ",".join(f"http://127.0.0.1:{p}" for p in self.ports)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PINGAN_DATA_DIR": self.data,
            "PINGAN_CSRF_TRUSTED_ORIGINS": origins,
            "PINGAN_SIP_BIND": "off",
        }
        self.processes = [
            subprocess.Popen(
                [
                    *(str(BIN / "pingan"), "serve", "--bind", f"127.0.0.1:{port}"),
                    *("--workers", str(processes)),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for port in self.ports
        ]
        for port in self.ports:
            wait_for(port, 120)

    @property
    def bases(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def stop(self) -> None:
        for process in self.processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(20)
        shutil.rmtree(self.data, ignore_errors=True)


def timed(staff: Staff, path: str) -> list[float]:
    for _ in range(3):  # warm: the grid index, the first queries' plans
        staff.page(path)
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        staff.page(path)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def figures_of(samples: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(samples, 0.5), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
    }


def pages(base: str, in_scope: dict[str, int]) -> dict:
    found = {}
    for level in LEVEL_ROLES:
        staff = Staff(base, f"c_{level}", PASSWORD)
        assert staff.signed_in, level
        found[level] = {
            "events_in_scope": in_scope[level],
            "queue": figures_of(timed(staff, "/events/")),
            "overview": figures_of(timed(staff, "/command/")),
        }
    for level in ("province", "county"):
        staff = Staff(base, f"c_{level}", PASSWORD)
        found[level]["person_search"] = figures_of(
            timed(staff, "/people/?q=" + urllib.parse.quote("王芳"))
        )
    return found


def cpu_seconds() -> dict[tuple[str, str], float]:
    """CPU time so far of each PostgreSQL process, app server process and this one,
    by (part, pid). A process's reaped children count in it (cutime, cstime), so a
    PostgreSQL backend that ends during the run still counts, in the postmaster."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[tuple[str, str], float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        used = sum(int(field) for field in stat[11:15]) / tick
        if command.startswith(b"postgres"):
            found["postgres", pid] = used
        elif b"gunicorn" in command:
            found["app servers", pid] = used
    own = os.times()
    found["clients", str(os.getpid())] = own.user + own.system
    return found


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    used = {"postgres": 0.0, "app servers": 0.0, "clients": 0.0}
    for (part, pid), seconds in after.items():
        used[part] += seconds - before.get((part, pid), 0.0)
    return {part: round(seconds, 1) for part, seconds in used.items()}


def intake(bases: list[str], workers: list[tuple[str, float, float]]) -> dict:
    """CLIENTS grid workers report for INTAKE_SECONDS, spread over the servers."""
    reporters = [
        (Staff(bases[n % len(bases)], username, PASSWORD), lng, lat)
        for n, (username, lng, lat) in enumerate(workers)
    ]
    done = [0] * len(reporters)
    errors = [0] * len(reporters)
    stop = time.monotonic() + INTAKE_SECONDS

    def report(index: int) -> None:
        staff, lng, lat = reporters[index]
        while time.monotonic() < stop:
            status, _ = staff.api(
                "POST",
                "/api/events",
                {
                    "category": "CG01",
                    "lng": lng,
                    "lat": lat,
                    "description": f"基准上报 {index}-{done[index]}",
                },
            )
            if status in (200, 201):
                done[index] += 1
            else:
                errors[index] += 1

    before = cpu_seconds()
    threads = [threading.Thread(target=report, args=(i,)) for i in range(len(reporters))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = cpu_seconds()
    used = cpu_used(before, after)
    total = sum(used.values())
    per_second = sum(done) / elapsed
    return {
        "servers": len(bases),
        "reports_per_s": round(per_second, 1),
        "per_core": round(per_second / (os.cpu_count() or 1), 1),
        "errors": sum(errors),
        "cpu_s": used,
        "cpu_busy": round(total / (elapsed * (os.cpu_count() or 1)), 2),
        "limit": max(used, key=used.get),
    }


def main() -> None:
    if REUSE:  # the database a previous run made, migrated to this release
        url = PG_SERVER.rsplit("/", 1)[0] + "/" + DATABASE
        django_setup(url)
        made, generation, disk = {"codes": CODES, "workers": reporters()}, None, {}
    else:
        url = postgres_url(DATABASE)
        if url is None:
            raise SystemExit("province bench: needs PostgreSQL (PINGAN_BENCH_PG)")
        disk = disk_check(tempfile.gettempdir())
        started = time.perf_counter()
        made = generate(url)
        generation = round(time.perf_counter() - started, 1)
    facts = database_facts(url)
    in_scope = scope_events(url, made["codes"])
    one = Servers(url, 1)
    try:
        measured = pages(one.bases[0], in_scope)
        intake_one = intake(one.bases, made["workers"])
    finally:
        one.stop()
    two = Servers(url, 2)
    try:
        intake_two = intake(two.bases, made["workers"])
    finally:
        two.stop()
    # A server of one process is about a core's worth: 1 then 2 of them show how
    # intake grows with servers while the cores last.
    growth = []
    for count in (1, 2):
        single = Servers(url, count, processes=1)
        try:
            growth.append(intake(single.bases, made["workers"]))
        finally:
            single.stop()
    worst = max(
        p["p95_ms"]
        for level in measured.values()
        for key, p in level.items()
        if isinstance(p, dict)
    )
    limit = "the database" if intake_two["limit"] == "postgres" else f"the {intake_two['limit']}"
    if intake_two["cpu_busy"] > 0.9:
        limit += f" (the machine's {os.cpu_count()} cores are busy: every part shares them)"
    report(
        {
            "bench": "province",
            "scale": SCALE,
            "people": PEOPLE,
            "events": EVENTS,
            "disk": disk,
            "generation_s": generation,
            "generation": {k: v for k, v in made.items() if k.endswith("_s")},
            "reused": REUSE,
            "database": facts,
            "pages": measured,
            "intake": [intake_one, intake_two],
            "intake_one_process_servers": growth,
            "intake_limit": limit,
            "worst_p95_ms": worst,
            "target_met": worst < 300,
        }
    )


if __name__ == "__main__":
    main()
