from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pingan.jobs.models import Job
from pingan.jobs.services import job_enqueue
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
        def progress(done: int, total: int) -> None:
            if done % 1024 < semantic.BATCH or done == total:
                self.stdout.write(f"embedded {done}/{total}")
                self.stdout.flush()

        try:
            path = search.embed_articles(progress)
        except search.EmbedError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"wrote {path}")

    def _embed_in_background(self) -> None:
        """Queue the embeddings for `pingan worker`: about 20 minutes of work; search
        uses the vectors from the moment they are complete."""
        queued = Job.objects.filter(
            kind=search.EMBED_JOB, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
        )
        job = queued.first() or job_enqueue(kind=search.EMBED_JOB)
        self.stdout.write(f"embedding queued for the worker (job {job.pk})")
