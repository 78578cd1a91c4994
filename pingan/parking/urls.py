from django.urls import path

from pingan.parking import views_public, views_push

app_name = "parking"
urlpatterns = [
    path("parking/push/zhenshi/", views_push.zhenshi, name="push_zhenshi"),
    path("parking/notify/<str:gateway>/", views_push.notify, name="notify"),
    path("parking/", views_public.home, name="home"),
    path("parking/owed/", views_public.owed, name="owed"),
    path("parking/ticket/", views_public.ticket, name="ticket"),
    path("parking/order/<str:number>/", views_public.order, name="order"),
    path("parking/order/<str:number>/state/", views_public.order_state, name="order_state"),
    path("parking/pay/console/<str:number>/", views_public.console_pay, name="console_pay"),
]
