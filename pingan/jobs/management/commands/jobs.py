from django.core.management.base import BaseCommand, CommandError

from pingan.jobs.models import Job
from pingan.jobs.services import job_execute


class Command(BaseCommand):
    help = "Run one claimed job in this process (the worker starts this for each job)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run"])
        parser.add_argument("job_id", type=int)

    def handle(self, *args, **options):
        job = Job.objects.filter(pk=options["job_id"], status=Job.Status.RUNNING).first()
        if job is None:
            raise CommandError(f"job {options['job_id']} is not claimed and running")
        done = job_execute(job)
        self.stdout.write(f"job {done.pk} {done.status}: {done.message[:200]}")
