from django.urls import path

from pingan.links import views

urlpatterns = [
    path("links/inbox/<str:code>/", views.inbox_receive, name="links-inbox"),
]
