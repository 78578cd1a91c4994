"""The district's holiday arrangement, entered from the State Council's notice.
Every change goes to the journal: a time limit counted by it can be explained."""

from django.contrib import admin

from pingan.audit.services import journal_write
from pingan.events.models import WorkCalendarDay


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "workday", "note"]
    list_filter = ["workday"]
    date_hierarchy = "day"
    exclude = ["updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _journal(request.user, obj, "calendar.set")

    def delete_model(self, request, obj):
        _journal(request.user, obj, "calendar.delete")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            _journal(request.user, day, "calendar.delete")
        super().delete_queryset(request, queryset)


def _journal(user, day: WorkCalendarDay, action: str) -> None:
    journal_write(
        actor=user,
        action=action,
        object_type="calendar_day",
        object_id=day.pk,
        region_path="",
        data={"day": day.day.isoformat(), "workday": day.workday, "note": day.note},
    )
