from django.urls import path

from pingan.counter import views

app_name = "counter"
urlpatterns = [
    path("counter/", views.desk, name="desk"),
    path("counter/<int:application_id>/", views.application_detail, name="application"),
    path(
        "counter/<int:application_id>/act/<str:action>/",
        views.application_act,
        name="act",
    ),
    path("counter/<int:application_id>/reveal/", views.application_reveal, name="reveal"),
    path("counter/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
