from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pingan.registry"
    label = "registry"
