from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "pingan.counter"
    label = "counter"
    verbose_name = "阳光政务"
