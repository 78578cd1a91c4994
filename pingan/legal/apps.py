from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "pingan.legal"
    label = "legal"
    verbose_name = "青小律 法律服务"

    def ready(self):
        from pingan.jobs.handlers import register
        from pingan.legal import search

        register(search.EMBED_JOB, search.embed_job_handler)
