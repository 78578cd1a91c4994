from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "pingan.video"
    label = "video"
    verbose_name = "雪亮工程"
