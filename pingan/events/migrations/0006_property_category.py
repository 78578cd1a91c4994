"""Add the categories categories.json gained since 0002 (物业服务, for complaints
about an estate's property service), by the same loader: missing ones only."""

from importlib import import_module

from django.db import migrations

load = import_module("pingan.events.migrations.0002_categories").load


class Migration(migrations.Migration):
    dependencies = [("events", "0005_running_counts")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
