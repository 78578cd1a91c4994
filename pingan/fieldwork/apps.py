from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "pingan.fieldwork"
    label = "fieldwork"
