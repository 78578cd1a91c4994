"""pingan recount [--check]: rebuild the overview's running counts from the events,
or (--check) only report where they differ. Run after loading events in bulk."""

from django.core.management.base import BaseCommand, CommandError

from pingan.events import counts


class Command(BaseCommand):
    help = "Rebuild (or --check) the running event counts from the events themselves"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only report differences")

    def handle(self, *args, check: bool = False, **options):
        differences = counts.recount(check=check)
        for table, key, kept, counted in differences[:50]:
            self.stdout.write(f"{table} {key}：计数 {kept}，实有 {counted}")
        if check and differences:
            raise CommandError(f"有 {len(differences)} 处计数与事件不符")
        verb = "核对" if check else "重算"
        self.stdout.write(f"已{verb}事件计数，{len(differences)} 处不同")
