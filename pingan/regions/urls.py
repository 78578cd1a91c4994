from django.urls import path

from pingan.regions import views

app_name = "regions"
urlpatterns = [
    path("mine/", views.jurisdiction, name="mine"),
    path("map/", views.grid_map, name="map"),
    path("grids/search/", views.grid_search, name="grid_search"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("regions/<str:code>/import/", views.region_import, name="region_import"),
]
