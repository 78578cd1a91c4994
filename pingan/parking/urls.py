from django.urls import path

from pingan.parking import views_push

app_name = "parking"
urlpatterns = [
    path("parking/push/zhenshi/", views_push.zhenshi, name="push_zhenshi"),
]
