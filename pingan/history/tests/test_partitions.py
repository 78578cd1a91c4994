"""Monthly partitions of the history tables (PostgreSQL) and the archive of old
months: keys that still hold across months, rows that find their month, and a
month taken out to files with the journal's chain and the running counts whole."""

import datetime as dt
import gzip
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from pingan.audit.archive import anchor
from pingan.audit.models import Archive, JournalEntry
from pingan.audit.services import journal_verify, journal_verify_files
from pingan.command.models import SupervisionNotice
from pingan.events import counts
from pingan.events.models import Event, Step
from pingan.events.services import event_report, event_transition
from pingan.events.tests.conftest import report_in
from pingan.history import services
from pingan.lib import partitions

SHANGHAI = ZoneInfo("Asia/Shanghai")
HISTORY = {
    "events_event",
    "events_step",
    "fieldwork_workrecord",
    "parking_passage",
    "audit_journalentry",
}
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)


def report(personas) -> Event:
    return event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in()
    ).event


def reject(event: Event, personas) -> Event:
    return event_transition(
        event=Event.objects.get(pk=event.pk),
        action="reject",
        actor=personas.village_officer,
        reason="不属于本平台受理范围",
    )


def holder(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def at(year: int, month: int, day: int = 10):
    return time_machine.travel(dt.datetime(year, month, day, 10, tzinfo=SHANGHAI), tick=False)


@on_postgres
def test_the_history_tables_are_partitioned_and_keep_their_keys(personas):
    assert {t.name for t in partitions.tables(connection)} == HISTORY
    this_month = partitions.month_start(dt.date.today())
    assert this_month in partitions.months(connection, "events_event")
    first, second = report(personas), report(personas)
    assert holder("events_event", first.pk) == partitions.part_name("events_event", this_month)
    # The receipt stays unique across every month, through the key table.
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=second.pk).update(receipt=first.receipt)
    # A step cannot name an event that does not exist.
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(event_id=first.pk + 1000, action="x", to_state="x", at=first.created_at)
        connection.check_constraints()


@on_postgres
def test_a_back_dated_row_waits_in_default_until_its_month_is_made(personas):
    with at(2025, 3):
        event = report(personas)
    assert holder("events_event", event.pk) == "events_event_pdefault"
    made = services.ahead_round(dt.datetime.now(SHANGHAI))
    assert "events_event 2025-03" in made and "audit_journalentry 2025-03" in made
    assert holder("events_event", event.pk) == "events_event_p202503"
    assert Event.objects.get(receipt=event.receipt).pk == event.pk
    assert services.ahead_round(dt.datetime.now(SHANGHAI)) == ""


@on_postgres
def test_old_months_go_to_files_with_the_chain_and_the_counts_whole(request, tmp_path):
    with at(2025, 2, 20):
        personas = request.getfixturevalue("personas")
    with at(2025, 3):
        gone = reject(report(personas), personas)
        still_open = report(personas)
        needed = reject(report(personas), personas)
        SupervisionNotice.objects.create(  # 督办单 of a settled event: it stays
            number="DB-1",
            event=needed,
            region_path=needed.region_path,
            requirement="限期说明",
            due=needed.created_at,
            issued_by=personas.dispatcher,
        )
    with at(2025, 4):
        later = reject(report(personas), personas)
    services.ahead_round(dt.datetime.now(SHANGHAI))
    assert counts.recount(check=True) == []

    outcomes = services.archive_before(dt.date(2025, 4, 1), tmp_path)

    said = {f"{o.table} {o.month:%Y-%m}": o for o in outcomes}
    march = said["events_event 2025-03"]
    assert (march.rows, march.left, march.kept) == (1, 2, {needed.pk})
    assert "1 行仍被督办单引用" in str(march)
    assert not Event.objects.filter(pk=gone.pk).exists()
    assert not Step.objects.filter(event_id=gone.pk).exists()
    assert Event.objects.filter(pk__in=[still_open.pk, later.pk, needed.pk]).count() == 3
    # The month of the open event keeps its partition; the journal's months are gone.
    assert dt.date(2025, 3, 1) in partitions.months(connection, "events_event")
    journal_months = partitions.months(connection, "audit_journalentry")
    assert dt.date(2025, 3, 1) not in journal_months
    assert dt.date(2025, 4, 1) in journal_months

    assert (tmp_path / "events_event/2025-03.jsonl.gz").stat().st_mode & 0o077 == 0
    with gzip.open(tmp_path / "events_event/2025-03.jsonl.gz", "rt") as archived:
        lines = [json.loads(line) for line in archived]
    kept = {(line["model"], line["fields"].get("receipt")) for line in lines}
    assert ("events.event", gone.receipt) in kept
    assert any(line["model"] == "events.step" for line in lines)

    assert list(journal_verify()) == []
    files = sorted((tmp_path / "audit_journalentry").glob("*.jsonl.gz"))
    assert [f.name for f in files] == ["2025-02.jsonl.gz", "2025-03.jsonl.gz"]
    assert list(journal_verify_files(files)) == []
    assert list(journal_verify_files(files[1:]))  # the first month is missing
    call_command("audit", "verify", "--archive", *map(str, files), stdout=io.StringIO())
    assert counts.recount(check=True) == []
    assert JournalEntry.objects.filter(action="history.archived").exists()

    # An archived month can be loaded back.
    call_command("loaddata", str(tmp_path / "events_event/2025-03.jsonl.gz"), verbosity=0)
    assert Event.objects.get(pk=gone.pk).receipt == gone.receipt
    assert Step.objects.filter(event_id=gone.pk).exists()

    # Moving the anchor to hide removed rows is caught by its signature.
    Archive.objects.filter(pk=anchor().pk).update(last_seq=anchor().last_seq + 1)
    assert any("anchor" in breach.problem for breach in journal_verify())


@on_postgres
def test_the_current_month_cannot_be_archived(tree, tmp_path):
    with pytest.raises(CommandError, match="本月及以后"):
        call_command("history", "archive", "--before", "2999-01", "--to", str(tmp_path))
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("history", "archive", "--before", "next year", "--to", str(tmp_path))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite keeps plain tables")
def test_on_sqlite_the_tables_stay_plain(db, tmp_path):
    assert partitions.tables(connection) == []
    assert services.ahead_round(dt.datetime.now(SHANGHAI)) == ""
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("history", "months")


@on_postgres
def test_the_migration_runs_backwards_to_plain_tables_and_forwards_again(personas):
    event = report(personas)
    with connection.cursor() as cursor:  # the rows' deferred checks, before the DDL
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([("history", None)])
    assert partitions.tables(connection) == []
    assert Event.objects.get(pk=event.pk).receipt == event.receipt
    with pytest.raises(IntegrityError), transaction.atomic():  # unique on the table again
        Event.objects.filter(pk=report(personas).pk).update(receipt=event.receipt)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert {t.name for t in partitions.tables(connection)} == HISTORY
    assert Step.objects.filter(event_id=event.pk).exists()
    assert report(personas).pk > event.pk  # the ids go on
