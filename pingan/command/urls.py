from django.urls import path

from pingan.command import views

app_name = "command"
urlpatterns = [
    path("command/", views.overview_page, name="overview"),
    path("command/screen/", views.big_screen, name="screen"),
    path("command/assessment/", views.assessment_page, name="assessment"),
    path("command/assessment/events/", views.assessment_events, name="assessment_events"),
    path("command/weights/", views.weights, name="weights"),
    path("command/accountability/", views.accountability_page, name="accountability"),
    path("command/accountability/events/", views.failing_events, name="failing_events"),
    path("command/notices/", views.notice_issue, name="notice_issue"),
    path("command/notices/<int:notice_id>/", views.notice_answer, name="notice_answer"),
    path("command/map/", views.map_page, name="map"),
    path("command/report/", views.report_page, name="report"),
]
