from django.urls import path

from pingan.parking import views, views_public, views_push

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
    path("parking/manage/", views.home, name="manage"),
    path("parking/manage/places/<str:code>/", views.place_day, name="place"),
    path("parking/manage/plates/", views.plate_search, name="plates"),
    path("parking/manage/review/", views.review, name="review"),
    path("parking/manage/review/<int:pk>/", views.review_decide, name="review_decide"),
    path("parking/manage/passages/<int:pk>/image/", views.passage_image, name="passage_image"),
    path("parking/manage/cameras/", views.cameras, name="cameras"),
    path("parking/manage/money/", views.money, name="money"),
    path("parking/manage/money/<int:pk>/refund/", views.refund, name="refund"),
    path("parking/manage/report/", views.report, name="report"),
]
