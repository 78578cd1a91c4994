from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "pingan.legal"
    label = "legal"
    verbose_name = "青小律 法律服务"
