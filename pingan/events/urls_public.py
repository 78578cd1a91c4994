from django.urls import path

from pingan.events import views_public

app_name = "public"
urlpatterns = [
    path("r/<str:grid_code>/", views_public.report, name="report"),
    path("r/<str:grid_code>/nearby/", views_public.nearby, name="nearby"),
    path("t/", views_public.track_lookup, name="lookup"),
    path("t/<str:receipt>/", views_public.track, name="track"),
    path("t/<str:receipt>/rate/", views_public.rate, name="rate"),
    path("t/<str:receipt>/code/", views_public.rating_code, name="rating_code"),
    path("t/<str:receipt>/photos/<int:photo_id>/", views_public.public_photo, name="photo"),
]
