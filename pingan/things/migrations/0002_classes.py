"""The class table the district starts with (things/classes.json): the six major
classes of digital city management and the minor classes seen in practice. A city
with its official table adds or changes classes in the admin."""

import json
from pathlib import Path

from django.db import migrations

TABLE = Path(__file__).resolve().parent.parent / "classes.json"


def load(apps, schema_editor):
    PartGroup = apps.get_model("things", "PartGroup")
    PartClass = apps.get_model("things", "PartClass")
    table = json.loads(TABLE.read_text("utf-8"))
    groups = {}
    for row in table["groups"]:
        groups[row["code"]], _ = PartGroup.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "category_code": row["category_code"]}
        )
    for row in table["classes"]:
        PartClass.objects.get_or_create(
            code=row["code"],
            defaults={
                "group": groups[row["code"][:2]],
                "name": row["name"],
                "fields": row["fields"],
                "line": row["line"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("things", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
