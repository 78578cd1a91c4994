"""Load the category taxonomy (events/categories.json). Later edits are made in
the admin; this only adds categories that are missing."""

import json
from pathlib import Path

from django.db import migrations

SOURCE = Path(__file__).resolve().parent.parent / "categories.json"
FIELDS = ["department_kind", "urgency", "accept_hours", "dispatch_hours", "handle_days",
          "verify_hours", "dedupe_metres", "dedupe_days", "auto_escalate"]


def load(apps, schema_editor):
    Category = apps.get_model("events", "Category")
    for top in json.loads(SOURCE.read_text(encoding="utf-8")):
        parent, _ = Category.objects.get_or_create(
            code=top["code"], defaults={"name": top["name"], "domain": top["domain"]})
        for leaf in top["children"]:
            values = {field: leaf[field] for field in FIELDS if field in leaf}
            Category.objects.get_or_create(
                code=leaf["code"],
                defaults={"name": leaf["name"], "domain": top["domain"], "parent": parent,
                          **values})


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
