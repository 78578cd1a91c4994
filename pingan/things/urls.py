from django.urls import path

from pingan.things import views

app_name = "things"
urlpatterns = [
    path("parts/", views.parts_home, name="parts"),
    path("parts/new/", views.part_new, name="new"),
    path("parts/in/<str:code>/", views.parts_in, name="parts_in"),
    path("parts/figures/", views.parts_figures, name="figures"),
    path("parts/import/", views.parts_import, name="import"),
    path("parts/template.<str:fmt>", views.parts_template, name="template"),
    path("parts/export.<str:fmt>", views.parts_export, name="export"),
    path("parts/<str:code>/", views.part_detail, name="part"),
    path("parts/<str:code>/damage/", views.part_damage, name="damage"),
    path("parts/<str:code>/edit/", views.part_edit, name="edit"),
]
