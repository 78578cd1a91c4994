"""Devices that registered over GB/T 28181 are listed here for an administrator to
accept: until then their keepalives move no camera. Accepting is journaled."""

from django.contrib import admin

from pingan.video.devices import device_accept
from pingan.video.models import Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = [
        "device_id",
        "accepted",
        "address",
        "transport",
        "registered_at",
        "last_keepalive",
    ]
    list_filter = ["accepted", "transport"]
    search_fields = ["device_id"]
    readonly_fields = [
        "device_id",
        "address",
        "transport",
        "registered_at",
        "expires_at",
        "last_keepalive",
        "created_at",
    ]
    actions = ["accept"]

    @admin.action(description="接入所选设备")
    def accept(self, request, queryset):
        for device in queryset.filter(accepted=False):
            device_accept(actor=request.user, device=device)
