from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "pingan.regions"
    label = "regions"
