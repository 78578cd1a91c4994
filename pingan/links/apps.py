from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "pingan.links"
    label = "links"
    verbose_name = "互联互通"

    def ready(self) -> None:
        from pingan.command.selectors import BELOW
        from pingan.events.signals import event_moved
        from pingan.jobs.rounds import register
        from pingan.links import flows, inbox, outbox, selectors

        flows.install()
        event_moved.connect(flows.event_moved, dispatch_uid="links.event_moved")
        register("links.deliver", outbox.deliver_round)
        register("links.held", inbox.held_round)
        register("links.sweep", flows.sweep_round)
        BELOW.append(selectors.latest_figures)
