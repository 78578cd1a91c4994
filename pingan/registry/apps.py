from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pingan.registry"
    label = "registry"

    def ready(self):
        from pingan.jobs.handlers import register
        from pingan.registry import counting, imports  # noqa: F401 (counting: bulk's hook)

        register(imports.IMPORT_JOB, imports.import_job_handler, imports.import_job_given_up)
