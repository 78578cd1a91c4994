import json
import sys

from django.core.management.base import BaseCommand, CommandError

from pingan.regions.geojson import ImportFailed, export_tree, import_tree
from pingan.regions.models import Region
from pingan.regions.selectors import installation_root


class Command(BaseCommand):
    help = "Import or export the region tree and boundaries as GeoJSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the tree below CODE (default: district)")
        export.add_argument("--code", default=None)
        export.add_argument("--output", "-o", default="-")
        imp = sub.add_parser("import", help="read a FeatureCollection; all or nothing")
        imp.add_argument("file")

    def handle(self, *args, **options):
        if options["action"] == "export":
            self._export(options["code"], options["output"])
        else:
            self._import(options["file"])

    def _export(self, code, output):
        root = Region.objects.filter(code=code).first() if code else installation_root()
        if root is None:
            raise CommandError(f"no region {code or '(district)'}")
        text = json.dumps(export_tree(root), ensure_ascii=False)
        if output == "-":
            sys.stdout.write(text + "\n")
        else:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stdout.write(f"wrote {output}")

    def _import(self, path):
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        try:
            result = import_tree(data, actor=None)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(str(failure)) from None
        self.stdout.write(f"imported: {result.created} created, {result.updated} updated")
