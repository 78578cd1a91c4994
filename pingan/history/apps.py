from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "pingan.history"
    label = "history"
    verbose_name = "历史分区"

    def ready(self) -> None:
        from pingan.history import services
        from pingan.jobs.rounds import register

        register("history.ahead", services.ahead_round)
