"""What an administrator keeps by hand: places and their spaces, tariffs and their
versions (a new version from a moment on, never an edit of one a stay was charged
by), passes, fixed spaces and the whitelist. Cameras are placed on 识别摄像机
(/parking/manage/cameras/), which also makes them 部件."""

from django.contrib import admin

from pingan.parking.models import Permit, Place, Space, Tariff, TariffVersion


class VersionInline(admin.TabularInline):
    model = TariffVersion
    extra = 1
    fields = [
        "valid_from", "free_minutes", "free_deducted", "first_minutes", "first_fen",
        "step_minutes", "step_fen", "night_from", "night_until", "night_step_minutes",
        "night_step_fen", "cap_fen", "description",
    ]  # fmt: skip

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # stays were charged by it: a change is a new version


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    inlines = [VersionInline]


class SpaceInline(admin.TabularInline):
    model = Space
    extra = 0


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "capacity", "occupied", "tariff", "active"]
    list_filter = ["kind", "tariff", "active"]
    search_fields = ["code", "name", "road"]
    readonly_fields = ["occupied"]
    raw_id_fields = ["region", "part"]
    inlines = [SpaceInline]


@admin.register(Permit)
class PermitAdmin(admin.ModelAdmin):
    list_display = ["plate", "kind", "place", "space", "valid_from", "valid_until", "note"]
    list_filter = ["kind"]
    search_fields = ["plate"]
    raw_id_fields = ["space"]
