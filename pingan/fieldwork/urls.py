from django.urls import path

from pingan.fieldwork import views

app_name = "fieldwork"
urlpatterns = [
    path("app/", views.app_shell, name="app"),
    path("app/sw.js", views.service_worker, name="service_worker"),
    path("app/manifest.webmanifest", views.manifest, name="manifest"),
    path("fieldwork/", views.fieldwork_home, name="home"),
    path("fieldwork/records/", views.work_list, name="records"),
    path("fieldwork/records/<int:work_id>/", views.work_detail, name="record"),
    path("fieldwork/photos/<int:photo_id>/", views.work_photo, name="photo"),
    path("fieldwork/changes/", views.change_list, name="changes"),
    path("fieldwork/inspections/", views.inspections, name="inspections"),
    path("fieldwork/changes/<int:change_id>/review/", views.change_review, name="review"),
    path("fieldwork/policy/<str:code>/", views.policy, name="policy"),
    # Before the registry's records/<id>/<action>/, which would take it otherwise.
    path("records/<int:record_id>/visit/", views.record_visit, name="record_visit"),
]
