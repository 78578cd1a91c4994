from django.urls import path

from pingan.convenience import views

app_name = "convenience"
urlpatterns = [
    path("convenience/appointments/", views.appointments, name="appointments"),
    path(
        "convenience/appointments/<int:appointment_id>/mark/",
        views.appointment_mark,
        name="mark",
    ),
    path("convenience/estates/", views.estates, name="estates"),
]
