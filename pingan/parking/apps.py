from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "pingan.parking"
    label = "parking"
    verbose_name = "慧停车"

    def ready(self) -> None:
        from pingan.jobs.rounds import register
        from pingan.parking import rounds

        register("parking.sweep", rounds.sweep)
        from django.core import checks

        from pingan.parking import reading

        checks.register(reading.check)
        from django.db.models.signals import post_delete, post_save

        from pingan.parking.models import Permit, PlateCamera, TariffVersion
        from pingan.parking.services import forget

        for model in (PlateCamera, TariffVersion, Permit):
            post_save.connect(forget, sender=model, dispatch_uid=f"parking.forget.{model.__name__}")
            post_delete.connect(
                forget, sender=model, dispatch_uid=f"parking.forget.{model.__name__}.gone"
            )
