from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pingan.events"
    label = "events"
