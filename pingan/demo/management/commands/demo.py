from django.core.management.base import BaseCommand, CommandError

from pingan.demo import basic_data, loader, parking
from pingan.lib.divisions import Level
from pingan.regions.models import Region


class Command(BaseCommand):
    help = "Load the demo district 平安区 (630203): tree, grids, people, departments, logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=630203)
        parser.add_argument("--households", type=int, default=loader.HOUSEHOLDS)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when a district exists",
        )

    def handle(self, *args, **options):
        if Region.objects.filter(level=Level.DISTRICT).exists():
            if options["if_empty"]:
                self.stdout.write("演示区已存在，跳过加载。")
                self._print_logins()
                return
            raise CommandError(
                "数据库中已有区县数据；演示数据只能加载到空数据库（或使用 --if-empty）"
            )
        result = loader.load(seed=options["seed"], households=options["households"])
        counts = result.counts
        self.stdout.write(
            f"已加载 {result.district.name}：{counts['townships']} 个乡镇/街道，"
            f"{counts['villages']} 个村/社区，{counts['grids']} 个网格，"
            f"{counts['households']} 户，{counts['people']} 人，"
            f"{counts['departments']} 个职能部门，{counts['events']} 件在办演示事件、"
            f"{counts['past_events']} 件半年来的历史事件，"
            f"{counts['work_records']} 条网格员工作记录，"
            f"{counts['service_items']} 项政务服务事项（{counts['online_items']} 项可网上办理）"
            f"（{result.seconds:.1f} 秒）"
        )
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"\n演示账号（密码均为 {loader.DEMO_PASSWORD}）：")
        for username, role, where in loader.demo_logins():
            self.stdout.write(f"  {username:<12} {role:<16} {where}")
        self.stdout.write(
            f"  gw<网格编码>   每个网格的网格员，如 gw{basic_data.WANGGE_GRID}"
            f"（{loader.VACANT_GRID} 网格员空缺，由村/社区综治中心代为核查）"
        )
        self.stdout.write(f"\nOpen311 api_key: {loader.DEMO_API_KEY}")
        self.stdout.write(
            f"慧停车车主页面 /parking/：车牌 {parking.DEMO_PLATE}，"
            f"停车票号 {parking.DEMO_TICKET}（有欠费待缴）"
        )
