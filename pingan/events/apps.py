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
        self._forget_cached()

    def _forget_cached(self) -> None:
        """A category or department edited: its cached copy goes (intake, routing),
        so with a shared cache (Redis) every server sees the edit at once."""
        from pingan.accounts.models import Department
        from pingan.events import intake, routing
        from pingan.events.models import Category

        for model, forget in ((Category, intake.forget), (Department, routing.forget)):
            post_save.connect(forget, sender=model, dispatch_uid=f"events.forget.{model.__name__}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"events.gone.{model.__name__}")
