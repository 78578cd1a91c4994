from django.urls import path

from pingan.links import pages, views

app_name = "links"
urlpatterns = [
    path("links/inbox/<str:code>/", views.inbox_receive, name="inbox"),
    path("links/", pages.health, name="health"),
    path("links/<str:code>/replay/", pages.replay, name="replay"),
    path("links/figures/", pages.figures, name="figures"),
    path("links/figures/<str:code>/", pages.district, name="district"),
]
