from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "pingan.video"
    label = "video"
    verbose_name = "雪亮工程"

    def ready(self) -> None:
        from pingan.jobs.rounds import register
        from pingan.video import health

        register("video.health", health.sweep)
        from pingan.events import views as event_views
        from pingan.video.selectors import cameras_panel

        event_views.PANELS.append(cameras_panel)
