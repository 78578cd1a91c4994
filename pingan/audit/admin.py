from django.contrib import admin

from pingan.audit.models import JournalEntry
from pingan.audit.services import journal_write
from pingan.lib.http import client_ip


class JournaledAdmin(admin.ModelAdmin):
    """Changes made in the Django admin are journaled like any other change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = sorted(form.changed_data)
        journal_write(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            region_path=getattr(obj, "region_path", "") or getattr(obj, "path", ""),
            ip=client_ip(request),
            data={"fields": fields},
        )

    def delete_model(self, request, obj):
        object_id = obj.pk
        super().delete_model(request, obj)
        journal_write(
            actor=request.user,
            action="admin.delete",
            object_type=obj._meta.model_name,
            object_id=object_id,
            ip=client_ip(request),
            data={"repr": str(obj)},
        )


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """Read-only: the journal can be looked at, never changed."""

    list_display = ["seq", "at", "actor_name", "action", "object_type", "object_id", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_name"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
