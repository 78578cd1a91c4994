from django.urls import path

from pingan.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_queue, name="queue"),
    path("events/bulk/", views.event_bulk, name="bulk"),
    path("events/new/", views.event_new, name="new"),
    path("m/report/", views.mobile_report, name="mobile_report"),
    path("events/todo/", views.department_todo, name="todo"),
    path("events/<int:event_id>/", views.event_detail, name="detail"),
    path("events/<int:event_id>/act/<str:action>/", views.event_act, name="act"),
    path("events/<int:event_id>/contact/", views.event_contact, name="contact"),
    path("events/photos/<int:photo_id>/", views.staff_photo, name="photo"),
    path("regions/<str:code>/qr/", views.grid_qr, name="qr"),
]
