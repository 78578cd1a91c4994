from django.contrib import admin
from django.urls import include, path

from pingan.api import api
from pingan.web.views import admin_login

admin.site.site_header = "平安 · 网格化社会治理 管理后台"
admin.site.site_title = "平安管理后台"
admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("open311/v2/", include("pingan.events.urls_open311")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("pingan.events.urls_public")),
    path("", include("pingan.counter.urls_public")),
    path("", include("pingan.convenience.urls_public")),
    path("", include("pingan.legal.urls_public")),
    path("", include("pingan.events.urls")),
    path("", include("pingan.notices.urls")),
    path("", include("pingan.fieldwork.urls")),  # first: records/<id>/visit/ is fieldwork's
    path("", include("pingan.registry.urls")),  # before regions: regions/<code>/plan/
    path("", include("pingan.regions.urls")),
    path("", include("pingan.things.urls")),
    path("", include("pingan.video.urls")),
    path("", include("pingan.parking.urls")),
    path("", include("pingan.command.urls")),
    path("", include("pingan.links.urls")),
    path("", include("pingan.counter.urls")),
    path("", include("pingan.convenience.urls")),
    path("", include("pingan.web.urls")),
]
