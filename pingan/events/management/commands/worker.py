import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from pingan.events.notify import drain_outbox
from pingan.events.sweep import sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Sweep time limits (warn, mark overdue, auto-escalate) and send queued messages."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=float, default=30, help="seconds between rounds")

    def handle(self, *args, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        while self.running:
            result = sweep(timezone.now())
            sent = drain_outbox()
            if result.warned or result.overdue or sent:
                self.stdout.write(
                    f"预警 {result.warned}，超期 {result.overdue}，"
                    f"自动上报 {result.escalated}，短信 {sent}"
                )
            if options["once"]:
                break
            time.sleep(options["interval"])

    def _stop(self, *args):
        self.running = False
