from django.urls import path

from pingan.registry.views import definitions, people, planning, records, sheets, units

app_name = "registry"
urlpatterns = [
    path("people/", people.people_list, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:person_id>/", people.person_detail, name="person"),
    path("people/<int:person_id>/<str:action>/", people.person_act, name="person_act"),
    path("households/<int:household_id>/", people.household_detail, name="household"),
    path("houses/<int:house_id>/", people.house_detail, name="house"),
    path("data/", records.data_home, name="data"),
    path("data/units/<str:unit>/", units.unit_list, name="units"),
    path("data/units/<str:unit>/<int:unit_id>/", units.unit_detail, name="unit"),
    path("data/import/", sheets.import_new, name="import"),
    path("data/import/<int:job_id>/", sheets.import_status, name="import_status"),
    path("data/import/<int:job_id>/errors.<str:fmt>", sheets.import_errors, name="import_errors"),
    path("data/records/new/", records.record_start, name="record_start"),
    path("data/categories/new/", definitions.definition_edit, name="definition_new"),
    path("data/<slug:code>/", records.category_detail, name="category"),
    path("data/<slug:code>/edit/", definitions.definition_edit, name="definition_edit"),
    path("data/<slug:code>/new/", records.record_new, name="record_new"),
    path("data/<slug:kind>/template.<str:fmt>", sheets.template_download, name="template"),
    path("data/<slug:kind>/export.<str:fmt>", sheets.export, name="export"),
    path("records/<int:record_id>/", records.record_detail, name="record"),
    path("records/<int:record_id>/<str:action>/", records.record_act, name="record_act"),
    path("visits/", records.visits_due, name="visits"),
    path("regions/<str:code>/plan/", planning.grid_plan, name="grid_plan"),
]
