from django.db import migrations, models


def key_from_the_next_row(apps, schema_editor):
    """Rows already written keep their plain SHA-256; every row after them is keyed."""
    head = apps.get_model("audit", "JournalHead").objects.filter(pk=1).first()
    if head is not None:
        head.keyed_from = head.seq + 1
        head.save(update_fields=["keyed_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalhead",
            name="keyed_from",
            field=models.PositiveBigIntegerField(default=1),
        ),
        migrations.RunPython(key_from_the_next_row, migrations.RunPython.noop),
    ]
