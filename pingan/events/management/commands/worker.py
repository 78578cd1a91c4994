import contextlib
import datetime as dt
import logging
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from pingan.audit.checkpoints import checkpoint_write
from pingan.events.sweep import sweep
from pingan.jobs.rounds import run, run_all
from pingan.jobs.services import job_beat, job_claim, job_execute, job_recover, worker_name
from pingan.notices.services import drain_outbox

log = logging.getLogger(__name__)


def _sweep(now: dt.datetime) -> str:
    result = sweep(now)
    if not (result.warned or result.overdue):
        return ""
    return (
        f"预警 {result.warned}，超期 {result.overdue}，"
        f"自动上报 {result.escalated}，转上一级核查 {result.referred}"
    )


def _texts(now: dt.datetime) -> str:
    return f"短信 {sent}" if (sent := drain_outbox(now=now)) else ""


def _checkpoint(now: dt.datetime) -> str:
    checkpoint_write()
    return ""


OWN_ROUNDS = {"events.sweep": _sweep, "notices.texts": _texts, "audit.checkpoint": _checkpoint}


class Command(BaseCommand):
    help = (
        "The one home of background work: sweep time limits (warn, mark overdue, "
        "auto-escalate), send queued messages, sign an audit checkpoint, and run "
        "queued jobs (imports, embeddings), each in a fresh process."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="one round, queued jobs run here, then exit"
        )
        parser.add_argument("--interval", type=float, default=30, help="seconds between rounds")

    def handle(self, *args, **options):
        # A stop ends the wait between rounds at once, never a round half done.
        self.stopped = threading.Event()
        self.children: dict[int, subprocess.Popen] = {}  # job id → its process
        self.name = worker_name()
        # Put the handler back afterwards: run inside another process (a test calls
        # `worker --once`), it would otherwise be inherited by every child that
        # process forks and swallow the SIGTERM meant to stop it.
        previous = signal.signal(signal.SIGTERM, self._stop)
        try:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C on `make run`: quietly
                self._run(options)
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _run(self, options):
        while not self.stopped.is_set():
            # Each under a lease, as the apps' own rounds: one worker of all hosts
            # runs a round at a time (jobs.rounds).
            for name, work in OWN_ROUNDS.items():
                if said := run(name, self.name, work, timezone.now()):
                    self.stdout.write(said)
            if started := self._jobs(inline=options["once"]):
                self.stdout.write(f"任务 {started}")
            for said in run_all(timezone.now(), self.name):  # the apps' (jobs.rounds)
                self.stdout.write(said)
            if options["once"]:
                break
            self.stopped.wait(options["interval"])

    def _jobs(self, *, inline: bool) -> int:
        """Start what is queued, up to JOB_PROCESSES at a time. Each job runs in a new
        interpreter (`pingan jobs run ID`): no threads there, so an import may fork
        its checkers, and a job that crashes takes only itself down."""
        self.children = {pk: p for pk, p in self.children.items() if p.poll() is None}
        job_beat(list(self.children))
        job_recover()
        started = 0
        while inline or len(self.children) < settings.JOB_PROCESSES:
            job = job_claim(self.name)
            if job is None:
                break
            started += 1
            if inline:
                with contextlib.suppress(Exception):  # recorded on the row
                    job_execute(job)
                continue
            command = [sys.executable, "-m", "pingan.cli", "jobs", "run", str(job.pk)]
            self.children[job.pk] = subprocess.Popen(command, start_new_session=False)
        return started

    def _stop(self, *args):
        self.stopped.set()
