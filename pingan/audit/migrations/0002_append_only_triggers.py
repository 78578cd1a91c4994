"""The database itself refuses UPDATE and DELETE on the journal, so not even a raw
SQL statement from the application can rewrite history."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_journal_no_update BEFORE UPDATE ON audit_journalentry
       BEGIN SELECT RAISE(ABORT, 'audit journal is append-only'); END;""",
    """CREATE TRIGGER audit_journal_no_delete BEFORE DELETE ON audit_journalentry
       BEGIN SELECT RAISE(ABORT, 'audit journal is append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_journal_no_update;",
    "DROP TRIGGER IF EXISTS audit_journal_no_delete;",
]
POSTGRES = [
    """CREATE FUNCTION audit_journal_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit journal is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_journal_no_change BEFORE UPDATE OR DELETE ON audit_journalentry
       FOR EACH ROW EXECUTE FUNCTION audit_journal_refuse();""",
    """CREATE TRIGGER audit_journal_no_truncate BEFORE TRUNCATE ON audit_journalentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_journal_refuse();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_journal_no_change ON audit_journalentry;",
    "DROP TRIGGER IF EXISTS audit_journal_no_truncate ON audit_journalentry;",
    "DROP FUNCTION IF EXISTS audit_journal_refuse();",
]


def forward(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
