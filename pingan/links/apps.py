from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "pingan.links"
    label = "links"
    verbose_name = "互联互通"

    def ready(self) -> None:
        from pingan.jobs.rounds import register
        from pingan.links import inbox, outbox

        register("links.deliver", outbox.deliver_round)
        register("links.held", inbox.held_round)
