from django.urls import path

from pingan.video import views

app_name = "video"
urlpatterns = [
    path("cameras/", views.cameras_home, name="cameras"),
    path("cameras/new/", views.camera_new, name="new"),
    path("cameras/coverage/", views.coverage, name="coverage"),
    path("cameras/patrols/", views.patrols_home, name="patrols"),
    path("cameras/<str:device_id>/", views.camera_detail, name="camera"),
    path("cameras/<str:device_id>/view/", views.camera_view, name="view"),
    path("cameras/<str:device_id>/patrol/", views.camera_patrol, name="patrol"),
]
