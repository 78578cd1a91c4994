"""The inbox and the outbox kept by the events app until now, copied over: a
notice about an event keeps its link to the event's page, a text message the
receipt of its event."""

from django.db import migrations

BATCH = 5000


def copy(apps, schema_editor):
    OldNotice = apps.get_model("events", "Notice")
    OldMessage = apps.get_model("events", "OutboundMessage")
    Notice = apps.get_model("notices", "Notice")
    Message = apps.get_model("notices", "OutboundMessage")
    notices = OldNotice.objects.order_by("id").values(
        "id", "user_id", "event_id", "text", "created_at", "read_at"
    )
    _in_batches(Notice, (_notice(Notice, row) for row in notices.iterator()))
    messages = OldMessage.objects.order_by("id").values(
        "id", "phone", "text", "event__receipt", "status", "attempts", "created_at", "sent_at"
    )
    _in_batches(Message, (_message(Message, row) for row in messages.iterator()))


def _notice(Notice, row):
    event = row.pop("event_id")
    return Notice(**row, link=f"/events/{event}/" if event else "")


def _message(Message, row):
    receipt = row.pop("event__receipt")
    return Message(**row, about=receipt or "")


def _in_batches(model, rows):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_create(batch)
            batch = []
    model.objects.bulk_create(batch)
    # Copied with their ids: the sequence goes on after the last (PostgreSQL).
    if model.objects.exists():
        _reset_sequence(model)


def _reset_sequence(model):
    from django.core.management.color import no_style
    from django.db import connection

    for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
        with connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("events", "0009_duty_urgency_call_back"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]
