from django.apps import AppConfig


class ConvenienceConfig(AppConfig):
    name = "pingan.convenience"
    label = "convenience"
    verbose_name = "便民服务"
