"""The class table is data: an administrator adds minor classes (小类), their
attributes and their default 养护 department here; every change is journaled."""

from django.contrib import admin

from pingan.audit.services import journal_write
from pingan.things.models import PartClass, PartGroup


class Journaled(admin.ModelAdmin):
    # Codes are never reused: a class no longer used is made inactive, not deleted.
    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        journal_write(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            data={"code": obj.code, "name": obj.name},
        )


@admin.register(PartGroup)
class PartGroupAdmin(Journaled):
    list_display = ["code", "name", "category_code"]


@admin.register(PartClass)
class PartClassAdmin(Journaled):
    list_display = ["code", "name", "group", "maintainer", "line", "active"]
    list_filter = ["group", "active"]
    search_fields = ["code", "name"]
