from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pingan.registry"
    label = "registry"

    def ready(self):
        from pingan.jobs.handlers import register
        from pingan.registry import counting, transfer  # noqa: F401 (counting: bulk's hook)

        register(transfer.IMPORT_JOB, transfer.import_job_handler, transfer.import_job_given_up)
