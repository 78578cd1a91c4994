"""Administrators keep the knowledge base's own laws (地方法规, 本区常见问题: the
releases of laws.db never touch them) and the directory of institutions."""

from django.contrib import admin

from pingan.legal.models import Article, Institution, Law, Source


class ArticleInline(admin.StackedInline):
    model = Article
    extra = 1
    fields = ["number", "number_text", "chapter", "section", "text"]


@admin.register(Law)
class LawAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "level", "status"]
    list_filter = ["source"]
    search_fields = ["name"]

    def get_inlines(self, request, obj):
        # A national law's articles come from laws.db releases only.
        return [] if obj is not None and obj.source == Source.LAWS_DB else [ArticleInline]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.source == Source.LAWS_DB:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region", "address", "phone", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "address"]
    raw_id_fields = ["region"]
    exclude = ["region_path"]
