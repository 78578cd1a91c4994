from django.contrib import admin

from pingan.links.models import Link, Mapping, Message, Unmapped


@admin.register(Mapping)
class MappingAdmin(admin.ModelAdmin):
    list_display = ["link", "kind", "ours", "theirs"]
    list_filter = ["link", "kind"]
    search_fields = ["ours", "theirs"]


@admin.register(Unmapped)
class UnmappedAdmin(admin.ModelAdmin):
    list_display = ["link", "kind", "code", "direction", "times", "last_seen"]
    list_filter = ["link", "kind"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    # keys are not shown: `pingan link key` rotates them
    list_display = ["name", "region_code", "side", "base_url", "enabled", "last_success_at"]
    fields = ["name", "side", "region_code", "base_url", "enabled", "disabled_reason"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["webhook_id", "link", "type", "subject", "seq", "state", "attempts", "next_at"]
    list_filter = ["link", "state", "type"]
    readonly_fields = [f.name for f in Message._meta.fields]
