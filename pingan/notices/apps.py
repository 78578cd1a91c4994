from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "pingan.notices"
    label = "notices"
    verbose_name = "消息"
