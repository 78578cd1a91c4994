from django.contrib import admin

from pingan.audit.admin import JournaledAdmin
from pingan.regions.models import Region


@admin.register(Region)
class RegionAdmin(JournaledAdmin):
    """Names, grid attributes and leaders can be edited here. Codes, the tree's
    shape and boundaries cannot: they change through `pingan regions import` or the
    API, which check containment and overlap and rebuild the point index."""

    list_display = ["code", "name", "level", "grid_type", "household_count", "active"]
    list_filter = ["level", "grid_type", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["leader"]
    readonly_fields = ["code", "level", "parent", "path", "boundary", "active"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
