from django.urls import path

from pingan.events import open311

urlpatterns = [
    path("services.<str:fmt>", open311.service_list),
    path("services/<str:code>.<str:fmt>", open311.service_definition),
    path("requests.<str:fmt>", open311.requests_view),
    path("requests/<str:request_id>.<str:fmt>", open311.request_detail),
    path("media/<int:photo_id>.jpg", open311.media),
]
