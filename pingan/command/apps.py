from django.apps import AppConfig


class CommandConfig(AppConfig):
    name = "pingan.command"
    label = "command"
