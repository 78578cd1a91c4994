from django.urls import path

from pingan.registry import views

app_name = "registry"
urlpatterns = [
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/<str:action>/", views.person_act, name="person_act"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("houses/<int:house_id>/", views.house_detail, name="house"),
    path("data/", views.data_home, name="data"),
    path("data/units/<str:unit>/", views.unit_list, name="units"),
    path("data/units/<str:unit>/<int:unit_id>/", views.unit_detail, name="unit"),
    path("data/import/", views.import_new, name="import"),
    path("data/import/<int:job_id>/", views.import_status, name="import_status"),
    path("data/import/<int:job_id>/errors.<str:fmt>", views.import_errors, name="import_errors"),
    path("data/records/new/", views.record_start, name="record_start"),
    path("data/categories/new/", views.definition_edit, name="definition_new"),
    path("data/<slug:code>/", views.category_detail, name="category"),
    path("data/<slug:code>/edit/", views.definition_edit, name="definition_edit"),
    path("data/<slug:code>/new/", views.record_new, name="record_new"),
    path("data/<slug:kind>/template.<str:fmt>", views.template_download, name="template"),
    path("data/<slug:kind>/export.<str:fmt>", views.export, name="export"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("records/<int:record_id>/<str:action>/", views.record_act, name="record_act"),
    path("visits/", views.visits_due, name="visits"),
]
