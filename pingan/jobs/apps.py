from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "pingan.jobs"
    label = "jobs"
