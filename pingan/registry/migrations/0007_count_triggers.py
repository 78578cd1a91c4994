"""Triggers that keep the running counts (PopulationCount, RecordCount) on every
write to people and records: the services, imports, the admin, raw SQL. The SQL
lives in registry/counting.py, which the bulk writer shares."""

from django.db import migrations

from pingan.registry.counting import COUNTED


def forward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for counted in COUNTED:
        schema_editor.execute(counted.add_sql(counted.source))  # what is already there
        for statement in counted.postgres() if postgresql else counted.sqlite():
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for counted in COUNTED:
        for event in ("insert", "update", "delete"):
            on = f" ON {counted.source}" if postgresql else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {counted.name}_count_{event}{on};")
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {counted.name}_count();")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_running_counts")]
    operations = [migrations.RunPython(forward, backward)]
