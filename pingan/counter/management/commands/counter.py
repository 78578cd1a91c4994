from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pingan.counter.catalogue import CatalogueError, catalogue_import


class Command(BaseCommand):
    help = "阳光政务: import the service item catalogue from an .xlsx or .csv file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="add or update items by their code")
        load.add_argument("file")
        load.add_argument(
            "--valid-only", action="store_true", help="import the valid rows, skip the bad"
        )

    def handle(self, *args, **options):
        try:
            result = catalogue_import(
                Path(options["file"]), actor=None, valid_only=options["valid_only"]
            )
        except CatalogueError as exc:
            raise CommandError(str(exc)) from None
        for number, reason in result.errors:
            self.stderr.write(f"第 {number} 行：{reason}")
        if not result.committed:
            raise CommandError(
                f"{len(result.errors)} 行有误，未导入任何事项（只导入正确的行请加 --valid-only）"
            )
        self.stdout.write(
            f"新增 {result.created} 项，更新 {result.updated} 项，跳过 {len(result.errors)} 行"
        )
