from django.urls import path

from pingan.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.jurisdiction, name="mine"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("map/", views.grid_map, name="map"),
    path("grids/search/", views.grid_search, name="grid_search"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("regions/<str:code>/plan/", views.grid_plan, name="grid_plan"),
    path("regions/<str:code>/import/", views.region_import, name="region_import"),
]
