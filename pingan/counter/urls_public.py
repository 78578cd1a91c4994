from django.urls import path

from pingan.counter import views_public

app_name = "counter_public"
urlpatterns = [
    path("zw/", views_public.catalogue, name="catalogue"),
    path("zw/items/<str:code>/", views_public.item_detail, name="item"),
    path("zw/items/<str:code>/apply/", views_public.apply, name="apply"),
    path("zw/a/", views_public.lookup, name="lookup"),
    path("zw/a/<str:receipt>/", views_public.track, name="track"),
    path("zw/a/<str:receipt>/supplement/", views_public.supplement, name="supplement"),
]
