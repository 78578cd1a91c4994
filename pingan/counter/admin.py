from django.contrib import admin

from pingan.counter.models import ServiceItem


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "department", "online", "visits", "active"]
    list_filter = ["online", "kind", "active", "department"]
    search_fields = ["code", "name"]
    raw_id_fields = ["region"]
    exclude = ["region_path"]
