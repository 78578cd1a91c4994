from django.urls import path

from pingan.legal import views_public

app_name = "legal"
urlpatterns = [
    path("legal/", views_public.assistant, name="assistant"),
    path("legal/mediation/", views_public.mediation, name="mediation"),
]
