from django.urls import path

from pingan.command import views

app_name = "command"
urlpatterns = [
    path("command/", views.overview_page, name="overview"),
    path("command/screen/", views.big_screen, name="screen"),
    path("command/assessment/", views.assessment_page, name="assessment"),
    path("command/assessment/events/", views.assessment_events, name="assessment_events"),
    path("command/weights/", views.weights, name="weights"),
]
