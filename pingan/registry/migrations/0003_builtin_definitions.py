import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "definitions.json"


def load(apps, schema_editor):
    """The categories of GB/T 31000 as data, in the same form an administrator's X
    categories take: one engine for both."""
    Definition = apps.get_model("registry", "Definition")
    DefinitionVersion = apps.get_model("registry", "DefinitionVersion")
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        definition, created = Definition.objects.get_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "group": item["group"],
                "subject": item["subject"],
                "sensitive": item["sensitive"],
                "visit_days": item["visit_days"],
                "fields": item["fields"],
                "builtin": True,
            },
        )
        if created:
            DefinitionVersion.objects.create(definition=definition, version=1, fields=item["fields"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_basic_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
