from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "pingan.parking"
    label = "parking"
    verbose_name = "慧停车"

    def ready(self) -> None:
        from pingan.jobs.rounds import register
        from pingan.parking import rounds

        register("parking.sweep", rounds.sweep)
