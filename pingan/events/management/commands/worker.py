import contextlib
import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.utils import timezone

from pingan.audit.checkpoints import checkpoint_write
from pingan.events.notify import drain_outbox
from pingan.events.sweep import sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Sweep time limits (warn, mark overdue, auto-escalate) and send queued messages."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=30, help="seconds between rounds")

    def handle(self, *args, **options):
        # A stop ends the wait between rounds at once, never a round half done.
        self.stopped = threading.Event()
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
            result = sweep(timezone.now())
            sent = drain_outbox()
            checkpoint_write()
            if result.warned or result.overdue or sent:
                self.stdout.write(
                    f"预警 {result.warned}，超期 {result.overdue}，"
                    f"自动上报 {result.escalated}，短信 {sent}"
                )
            if options["once"]:
                break
            self.stopped.wait(options["interval"])

    def _stop(self, *args):
        self.stopped.set()
