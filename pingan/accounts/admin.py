from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from pingan.accounts.models import Department, Grant, User
from pingan.audit.admin import JournaledAdmin


@admin.register(User)
class UserAdmin(JournaledAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "role", "region", "department", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["region", "department"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("平安", {"fields": ("role", "region", "department", "display_name", "phone")}),
    )


@admin.register(Department)
class DepartmentAdmin(JournaledAdmin):
    list_display = ["code", "name", "kind", "region"]
    raw_id_fields = ["region"]


@admin.register(Grant)
class GrantAdmin(JournaledAdmin):
    list_display = ["user", "kind", "granted_by", "granted_at", "reason"]
    raw_id_fields = ["user", "granted_by"]
