from django.urls import path

from pingan.convenience import views_public

app_name = "convenience_public"
urlpatterns = [
    path("bm/", views_public.home, name="home"),
    path("bm/book/", views_public.appointment_new, name="book"),
    path("bm/book/free/", views_public.free_places, name="free"),
    path("bm/a/", views_public.appointment_lookup, name="lookup"),
    path("bm/a/<str:receipt>/", views_public.appointment_show, name="appointment"),
    path("bm/a/<str:receipt>/cancel/", views_public.appointment_cancel, name="cancel"),
    path("bm/property/", views_public.estate_list, name="estates"),
    path("bm/property/<int:estate_id>/", views_public.estate_detail, name="estate"),
    path("bm/property/<int:estate_id>/complain/", views_public.estate_complain, name="complain"),
]
