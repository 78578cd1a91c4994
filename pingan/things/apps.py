from django.apps import AppConfig


class ThingsConfig(AppConfig):
    name = "pingan.things"
    label = "things"
    verbose_name = "部件"

    def ready(self) -> None:
        from pingan.events import lifecycle, signals
        from pingan.things import services
        from pingan.things.models import PartState

        # A part follows its damage report; the verifier who closes it may say
        # what state the part is in (完好 when not said).
        signals.event_moved.connect(services.follow_event, dispatch_uid="things.follow_event")
        facility = lifecycle.Input(
            "facility",
            "核查后部件状态",
            "choice",
            "facility",
            tuple(PartState.values),
            tuple(PartState.labels),
        )
        given = lifecycle.INPUTS.get("verify_pass", ())
        if facility not in given:
            lifecycle.INPUTS["verify_pass"] = (*given, facility)
