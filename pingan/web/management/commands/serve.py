import os
import shutil
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Pingan with gunicorn (static files by WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("PINGAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PINGAN_WORKERS", 2)))
        # Threads let a worker use the CPU while another request waits on the database.
        parser.add_argument("--threads", type=int, default=int(os.environ.get("PINGAN_THREADS", 1)))
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="also run `pingan worker` (time limits, text messages) and `pingan gb28181` "
            "(cameras registering) until the server stops",
        )

    def handle(self, *args, **options):
        from pingan.demo.loader import DEMO_PASSWORD, demo_logins

        # The static files as this release has them, with .gz beside each, for WhiteNoise.
        call_command("collectstatic", interactive=False, verbosity=0)
        logins = demo_logins()
        self.stdout.write(f"平安 正在启动：http://{options['bind']}/")
        if logins:
            self.stdout.write(
                f"演示账号（密码 {DEMO_PASSWORD}）：" + "、".join(u for u, _, _ in logins)
            )
        self.stdout.flush()
        if options["with_worker"]:
            self._start_worker()
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
        os.execv(
            gunicorn,
            [
                gunicorn,
                "pingan.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--threads",
                str(options["threads"]),
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
                "--chdir",
                str(settings.BASE_DIR.parent),
            ],
        )

    def _start_worker(self) -> None:
        """The worker and the GB/T 28181 endpoint in the same process group, so
        the Ctrl-C (or the signal to the group) that stops the server stops them
        too. PINGAN_SIP_BIND=off leaves the endpoint out."""
        pingan = shutil.which("pingan", path=os.path.dirname(sys.executable)) or "pingan"
        subprocess.Popen([pingan, "worker"])
        self.stdout.write("时限巡查与短信发送已随服务启动（pingan worker）")
        if settings.SIP_BIND.lower() != "off":
            subprocess.Popen([pingan, "gb28181"])
            self.stdout.write(
                f"国标信令服务已随服务启动：udp/tcp://{settings.SIP_BIND}"
                f"（设备注册密码 {settings.GB28181_PASSWORD}）"
            )
