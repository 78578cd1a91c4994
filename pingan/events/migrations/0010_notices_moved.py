"""The inbox and the outbox now live in the notices app (its 0002 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0009_duty_urgency_call_back'),
        ('notices', '0002_from_events'),  # copied there before they go
    ]

    operations = [
        migrations.RemoveField(
            model_name='outboundmessage',
            name='event',
        ),
        migrations.DeleteModel(
            name='Notice',
        ),
        migrations.DeleteModel(
            name='OutboundMessage',
        ),
    ]
