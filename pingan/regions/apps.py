from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "pingan.regions"
    label = "regions"

    def ready(self):
        from pingan.accounts import access
        from pingan.regions.selectors import covers_whole_tree

        access.whole_tree = covers_whole_tree
