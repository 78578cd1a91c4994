from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "pingan.web"
    label = "web"
