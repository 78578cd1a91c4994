from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pingan.audit.checkpoints import checkpoint_write
from pingan.audit.models import JournalEntry
from pingan.audit.services import journal_verify, journal_verify_files


class Command(BaseCommand):
    help = (
        "Audit journal tools. `audit verify` checks the keyed hash chain against the "
        "signed checkpoints; `audit checkpoint` appends one now (the worker does so "
        "every round). `audit verify --archive FILE…` walks archived months' files "
        "(pingan history archive), oldest first."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint"])
        parser.add_argument("--archive", nargs="+", type=Path, default=[], metavar="FILE")

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            made = checkpoint_write()
            self.stdout.write(f"checkpoint at row {made.seq}" if made else "head unchanged")
            return
        if missing := [str(path) for path in options["archive"] if not path.exists()]:
            raise CommandError(f"no such archive file: {', '.join(missing)}")
        files = sorted(options["archive"], key=lambda path: path.name)
        breaches = list(journal_verify_files(files) if files else journal_verify())
        for breach in breaches:
            self.stderr.write(f"row {breach.seq}: {breach.problem}")
        if breaches:
            raise CommandError(f"audit journal FAILED verification: {len(breaches)} problem(s)")
        if files:
            self.stdout.write(f"audit journal archive OK: {len(files)} file(s), chain intact")
            return
        count = JournalEntry.objects.count()
        self.stdout.write(f"audit journal OK: {count} rows, chain intact")
