from django.contrib import admin

from pingan.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "grid_type", "household_count", "active"]
    list_filter = ["level", "grid_type", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "leader"]
    show_full_result_count = False
