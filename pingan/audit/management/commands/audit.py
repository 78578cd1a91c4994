from django.core.management.base import BaseCommand, CommandError

from pingan.audit.checkpoints import checkpoint_write
from pingan.audit.models import JournalEntry
from pingan.audit.services import journal_verify


class Command(BaseCommand):
    help = (
        "Audit journal tools. `audit verify` checks the keyed hash chain against the "
        "signed checkpoints; `audit checkpoint` appends one now (the worker does so "
        "every round)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            made = checkpoint_write()
            self.stdout.write(f"checkpoint at row {made.seq}" if made else "head unchanged")
            return
        breaches = list(journal_verify())
        for breach in breaches:
            self.stderr.write(f"row {breach.seq}: {breach.problem}")
        if breaches:
            raise CommandError(f"audit journal FAILED verification: {len(breaches)} problem(s)")
        count = JournalEntry.objects.count()
        self.stdout.write(f"audit journal OK: {count} rows, chain intact")
