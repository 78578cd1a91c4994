import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pingan.accounts.models import User
from pingan.lib import sheets
from pingan.registry import columns, exports, imports


class Command(BaseCommand):
    help = "Import, export and get templates of the 9+X basic data (people or a category)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="check every row; all or nothing by default")
        imp.add_argument("file")
        imp.add_argument("--kind", default="people", help="people, or a category code")
        imp.add_argument("--user", required=True, help="whose scope and name the import uses")
        imp.add_argument("--valid-only", action="store_true", help="import the good rows only")
        exp = sub.add_parser("export", help="the user's scope, masked, as .csv or .xlsx")
        exp.add_argument("--kind", default="people")
        exp.add_argument("--user", required=True)
        exp.add_argument("--output", "-o", required=True)
        tpl = sub.add_parser("template", help="an empty template with Chinese headers")
        tpl.add_argument("--kind", default="people")
        tpl.add_argument("--output", "-o", required=True)

    def handle(self, *args, **options):
        try:
            getattr(self, f"_{options['action']}")(options)
        except imports.TransferError as exc:
            raise CommandError(str(exc)) from None

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username}")
        return user

    def _import(self, options):
        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        outcome = imports.import_file(
            user=self._user(options["user"]),
            kind=options["kind"],
            path=Path(options["file"]),
            valid_only=options["valid_only"],
            progress=progress,
        )
        sys.stderr.write("\n")
        for error in outcome.errors:
            self.stderr.write(f"row {error.row} {error.column}: {error.message}")
        if outcome.errors and not options["valid_only"]:
            raise CommandError(
                f"{len(outcome.errors)} problems in {outcome.total} rows; nothing imported "
                "(fix them, or use --valid-only)"
            )
        self.stdout.write(f"imported {outcome.imported} of {outcome.total} rows")

    def _export(self, options):
        user = self._user(options["user"])
        rows = exports.export_rows(user, options["kind"])
        output = Path(options["output"])
        if output.suffix == ".xlsx":
            with open(output, "wb") as handle:
                sheets.xlsx_file(rows, handle)
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(sheets.csv_stream(rows))
        self.stdout.write(f"wrote {output}")

    def _template(self, options):
        output = Path(options["output"])
        kind = options["kind"]
        body = (
            columns.template_xlsx(kind) if output.suffix == ".xlsx" else columns.template_csv(kind)
        )
        output.write_bytes(body)
        self.stdout.write(f"wrote {output}")
