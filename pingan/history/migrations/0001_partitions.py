"""The history tables partitioned by month on PostgreSQL (lib/partitions.py); on
SQLite nothing changes. It runs after every migration that adds a foreign key to
one of them: such a key must point at the key table, which this migration does for
the keys it finds (a later migration adding one must do the same)."""

from django.conf import settings
from django.db import migrations

from pingan.lib.partitions import Table, convert, revert

TABLES = [
    Table("events_event", "created_at", keyed=True),
    Table("events_step", "at", keyed=True),
    Table("fieldwork_workrecord", "at", keyed=True),
    Table("parking_passage", "at", keyed=True),
    # Appends are serialised by the chain's head row, so seq needs no key table.
    Table("audit_journalentry", "at", keyed=False),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        convert(schema_editor.connection, table, settings.TIME_ZONE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in reversed(TABLES):
        revert(schema_editor.connection, table)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_keyed_chain"),
        ("events", "0013_daily_count_state"),
        ("fieldwork", "0001_initial"),
        ("parking", "0002_refused_entries"),
        ("convenience", "0001_initial"),
        ("command", "0001_initial"),
        ("registry", "0007_count_triggers"),
        ("links", "0002_checkpoint_figures_linkedevent"),
        ("video", "0005_patrol_plans"),
        ("things", "0002_classes"),
    ]
    operations = [migrations.RunPython(forward, backward)]
