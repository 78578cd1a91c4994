"""pingan link add/list/test/replay/key: the links to the platforms above and below,
from the command line (the administrator's page shows the same)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pingan.lib.errors import DomainError
from pingan.links import flows, services
from pingan.links.models import Link


class Command(BaseCommand):
    help = (
        "互联互通：add 建立、list 查看、test 测试、replay 重发失败消息、key 轮换密钥、enable 启用、"
        "map 代码对照、report 立即报送"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        add = sub.add_parser("add", help="与上级或下级平台建立互联")
        add.add_argument("code", help="对方区划代码，如 630200")
        add.add_argument("url", help="对方平台地址，如 http://127.0.0.1:8001")
        add.add_argument("--name", required=True, help="对方名称，如 海东市")
        add.add_argument("--side", required=True, choices=["upper", "lower"])
        add.add_argument("--key", default="", help="双方共用的 whsec_ 密钥（不填则生成）")
        sub.add_parser("list", help="各互联的状态：待发、最早待发、失败、死信")
        for name, text in (
            ("test", "发送一条签名的测试消息"),
            ("replay", "重新投递死信"),
            ("enable", "重新启用（对方曾答复 410）"),
        ):
            sub.add_parser(name, help=text).add_argument("code")
        key = sub.add_parser(
            "key", help="轮换密钥：--add 加新密钥（新旧并用），--retire 停用最旧的"
        )
        key.add_argument("code")
        key.add_argument("--add", nargs="?", const="", default=None, metavar="whsec_…")
        key.add_argument("--retire", action="store_true")
        codes = sub.add_parser("map", help="代码对照：本平台代码 对方代码，或 --same 全部同码")
        codes.add_argument("code")
        codes.add_argument("--kind", default="category", help="category、department 或 region")
        codes.add_argument("pair", nargs="*", metavar="本平台代码=对方代码")
        codes.add_argument("--same", action="store_true", help="事件类别全部按同一代码对照")
        sub.add_parser("report", help="立即向上级报送统计数据和日志检查点")

    def handle(self, *args, what: str, **options):
        try:
            getattr(self, f"_{what}")(**options)
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def _link(self, code: str) -> Link:
        link = Link.objects.filter(region_code=code).first()
        if link is None:
            raise CommandError(f"未与 {code} 建立互联（pingan link list 查看）")
        return link

    def _add(self, code, url, name, side, key, **options):
        link, key = services.link_add(actor=None, name=name, side=side, code=code, url=url, key=key)
        self.stdout.write(f"已建立互联：{link}")
        self.stdout.write(f"密钥（请交给对方管理员，对方以同一密钥添加本平台）：{key}")

    def _list(self, **options):
        rows = services.health_all()
        if not rows:
            self.stdout.write("尚未与任何平台互联")
        for h in rows:
            link = h.link
            state = "启用" if link.enabled else f"停用（{link.disabled_reason}）"
            self.stdout.write(
                f"{link.region_code} {link.name} {link.get_side_display()} {link.base_url} {state}"
            )
            self.stdout.write(
                f"  待发 {h.waiting}（最早 {_when(h.oldest_waiting)}，重试中 {h.failing}）"
                f" 死信 {h.dead} 今日送达 {h.delivered_today} 未对照代码 {h.unmapped}"
                f" 最近成功 {_when(link.last_success_at)} 密钥 {len(link.keys)} 个"
            )
            if link.last_error and h.waiting:
                self.stdout.write(f"  最近错误：{link.last_error}")

    def _test(self, code, **options):
        tested = services.link_test(self._link(code))
        if not tested.ok:
            raise CommandError(f"测试失败（{tested.seconds:.2f} 秒）：{tested.said}")
        self.stdout.write(f"对方已答复（{tested.seconds:.2f} 秒）：{tested.said}")

    def _replay(self, code, **options):
        count = services.replay(actor=None, link=self._link(code))
        self.stdout.write(f"{count} 条死信已重新排队投递")

    def _enable(self, code, **options):
        services.link_enable(actor=None, link=self._link(code))
        self.stdout.write("已重新启用")

    def _key(self, code, add, retire, **options):
        link = self._link(code)
        if add is not None:
            key = services.key_add(actor=None, link=link, key=add)
            self.stdout.write(f"新密钥（新旧并用，请交给对方）：{key}")
        if retire:
            services.key_retire(actor=None, link=link)
            self.stdout.write("已停用最旧的密钥")
        if add is None and not retire:
            raise CommandError("请用 --add 或 --retire")

    def _map(self, code, kind, pair, same, **options):
        pairs = [tuple(item.split("=", 1)) for item in pair if "=" in item]
        if len(pairs) != len(pair):
            raise CommandError("对照应写作 本平台代码=对方代码")
        if same:
            pairs += services.same_categories()
        if not pairs:
            raise CommandError("请给出对照，或用 --same")
        link = self._link(code)
        count = services.codes_map(actor=None, link=link, kind=kind, pairs=pairs)  # type: ignore[arg-type]
        self.stdout.write(f"已对照 {count} 个代码")

    def _report(self, **options):
        figures, checkpoints = flows.figures_send(force=True), flows.checkpoint_send(force=True)
        self.stdout.write(f"已排队报送统计 {figures} 条、日志检查点 {checkpoints} 条")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M:%S") if moment else "—"
