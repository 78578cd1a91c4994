from django.contrib import admin

from pingan.convenience.models import Estate, EstateService


class EstateServiceInline(admin.TabularInline):
    model = EstateService
    extra = 1


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "company", "company_phone", "households"]
    search_fields = ["name", "company"]
    raw_id_fields = ["village"]
    exclude = ["region_path"]
    inlines = [EstateServiceInline]
