import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from pingan.audit.models import AppendOnlyError, JournalEntry
from pingan.audit.services import journal_verify, journal_write


def write_rows(count=5):
    for number in range(count):
        journal_write(
            actor=None,
            action="test.write",
            object_type="thing",
            object_id=number,
            data={"n": number, "名称": "测试"},
        )


def without_triggers(sql: str, params=()):
    """What a database administrator could do: switch the guard off and edit."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_journalentry DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_journalentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_journal_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_journal_no_delete")
            cursor.execute(sql, params)


def test_an_untouched_journal_verifies(db):
    write_rows()
    assert list(journal_verify()) == []
    call_command("audit", "verify")


def test_rows_chain_to_each_other(db):
    write_rows(3)
    rows = list(JournalEntry.objects.all())
    assert rows[0].prev_hash == "0" * 64
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash


def test_verify_names_an_altered_row(db, capsys):
    write_rows()
    without_triggers("UPDATE audit_journalentry SET reason = %s WHERE seq = 3", ["篡改"])
    breaches = list(journal_verify())
    assert [b.seq for b in breaches] == [3]
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit", "verify")
    assert "row 3" in capsys.readouterr().err


def test_verify_notices_a_deleted_row(db):
    write_rows()
    without_triggers("DELETE FROM audit_journalentry WHERE seq = 2")
    assert any(b.seq == 2 and "missing" in b.problem for b in journal_verify())


def test_verify_notices_the_last_row_deleted(db):
    write_rows()
    without_triggers("DELETE FROM audit_journalentry WHERE seq = 5")
    assert any("last rows" in b.problem for b in journal_verify())


def test_the_app_cannot_update_or_delete_rows(db):
    write_rows(1)
    entry = JournalEntry.objects.get()
    entry.reason = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().update(reason="x")
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.all().delete()


def test_the_database_refuses_raw_updates(db):
    write_rows(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_journalentry SET reason = 'x'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_journalentry")
    assert JournalEntry.objects.get().reason == ""


def test_admin_changes_are_journaled(tree, personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.admin)
    url = f"/admin/regions/region/{tree.grid_a1_1.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["name"] = "后台改名"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:500]
    entry = JournalEntry.objects.get(action="admin.change")
    assert entry.actor_name == "admin" and entry.data == {"fields": ["name"]}


def rewrite_without_the_key(from_seq: int) -> None:
    """An insider with the database but not the key: recompute the plain SHA-256
    chain from `from_seq` on, and the head, so every link looks right."""
    from pingan.audit.services import _digest

    rows = list(JournalEntry.objects.filter(seq__gte=from_seq).order_by("seq"))
    prev = JournalEntry.objects.get(seq=from_seq - 1).hash
    for entry in rows:
        entry.reason = "改过"
        entry.prev_hash = prev
        entry.hash = prev = _digest(entry, keyed=False)
        without_triggers(
            "UPDATE audit_journalentry SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [entry.reason, entry.prev_hash, entry.hash, entry.seq],
        )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_journalhead SET hash = %s", [prev])


def test_a_rewrite_without_the_key_is_caught(db):
    write_rows(8)
    rewrite_without_the_key(4)
    breaches = list(journal_verify())
    assert [b.seq for b in breaches if "keyed hash" in b.problem] == [4, 5, 6, 7, 8]


def test_rows_cut_off_after_a_checkpoint_are_caught(db):
    from pingan.audit.checkpoints import checkpoint_write

    write_rows(6)
    checkpoint_write()
    without_triggers("DELETE FROM audit_journalentry WHERE seq > 3")
    last = JournalEntry.objects.get(seq=3)
    with connection.cursor() as cursor:  # the head moved back too: the chain alone passes
        cursor.execute("UPDATE audit_journalhead SET seq = 3, hash = %s", [last.hash])
    breaches = list(journal_verify())
    assert breaches and "rows 4–6 are missing: the checkpoint" in breaches[-1].problem
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit", "verify")


def test_a_forged_or_edited_checkpoint_is_named(db, settings):
    from pingan.audit.checkpoints import checkpoint_write

    write_rows(2)
    checkpoint_write()
    text = settings.AUDIT_CHECKPOINTS.read_text().replace('"seq": 2', '"seq": 9')
    settings.AUDIT_CHECKPOINTS.write_text(text)
    assert any("signature" in b.problem for b in journal_verify())


def test_moving_where_keyed_rows_begin_is_caught(db):
    from pingan.audit.checkpoints import checkpoint_write

    write_rows(5)
    checkpoint_write()
    rewrite_without_the_key(3)
    with connection.cursor() as cursor:  # pass rows 3–5 off as written before the key
        cursor.execute("UPDATE audit_journalhead SET keyed_from = 6")
    assert any("keyed rows begin" in b.problem for b in journal_verify())


def test_the_checkpoint_command_appends_only_when_the_head_moved(db, settings, capsys):
    write_rows(2)
    call_command("audit", "checkpoint")
    call_command("audit", "checkpoint")
    write_rows(1)
    call_command("audit", "checkpoint")
    lines = settings.AUDIT_CHECKPOINTS.read_text().splitlines()
    assert len(lines) == 2 and '"seq": 3' in lines[1]
    assert "head unchanged" in capsys.readouterr().out
    call_command("audit", "verify")
