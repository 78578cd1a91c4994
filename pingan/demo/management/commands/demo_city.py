from django.core.management.base import BaseCommand, CommandError

from pingan.demo import city
from pingan.demo.loader import DEMO_PASSWORD
from pingan.regions.models import Region


class Command(BaseCommand):
    help = "Load the demo city 海东市 (630200): its districts as nodes, its centre's logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true")

    def handle(self, *args, **options):
        if Region.objects.exists():
            if not options["if_empty"]:
                raise CommandError("数据库中已有区划数据；演示市只能加载到空数据库")
            self.stdout.write("演示市已存在，跳过加载。")
        else:
            loaded = city.load()
            names = "、".join(d.name for d in loaded.districts)
            self.stdout.write(f"已加载 {city.CITY_NAME}（{city.CITY_CODE}）：区县节点 {names}")
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, label in city.logins():
            self.stdout.write(f"  {username:<14} {role:<16} {label}")
