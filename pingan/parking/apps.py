from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "pingan.parking"
    label = "parking"
    verbose_name = "慧停车"
