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
        _region_page()


def _region_page() -> None:
    """A region's page counts its parts and opens them on the parts map."""
    from pingan.regions import views
    from pingan.things import views as things_views

    views.FIGURES.append(("部件", things_views.parts_under))
    views.ACTIONS.append(("部件地图", "things:parts_in", things_views.always))
