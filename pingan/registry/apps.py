from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pingan.registry"
    label = "registry"

    def ready(self):
        from pingan.jobs.handlers import register
        from pingan.registry import counting, imports  # noqa: F401 (counting: bulk's hook)

        register(imports.IMPORT_JOB, imports.import_job_handler, imports.import_job_given_up)
        _region_page()


def _region_page() -> None:
    """What a region's page shows of the registry: its people, and the grid plan."""
    from pingan.regions import views
    from pingan.registry.views import planning

    views.FIGURES.append(("实有人口", planning.people_under))
    views.ACTIONS.append(("网格划分方案", "registry:grid_plan", planning.may_plan))
