from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EventsConfig(AppConfig):
    name = "pingan.events"
    label = "events"

    def ready(self):
        from pingan.events import calendar
        from pingan.events.models import WorkCalendarDay
        from pingan.lib import workdays

        workdays.use_arrangement(calendar.arranged)
        post_save.connect(calendar.forget, sender=WorkCalendarDay)
        post_delete.connect(calendar.forget, sender=WorkCalendarDay)
