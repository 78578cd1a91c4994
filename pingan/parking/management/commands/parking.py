"""pingan parking recount [--check]: each place's live occupancy against its open
stays. With --check nothing is changed and a disagreement exits 1."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from pingan.parking import rounds


class Command(BaseCommand):
    help = "慧停车：recount 核对（--check 只核对）各停车点的在场车辆数"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        recount = sub.add_parser("recount", help="核对在场车辆数与未离场记录")
        recount.add_argument(
            "--check", action="store_true", help="只核对，不更正；不符时退出码为 1"
        )

    def handle(self, *args, what: str, check: bool = False, **options):
        wrong = rounds.recount(fix=not check)
        for code, kept, counted in wrong:
            self.stdout.write(f"{code}: 记录 {kept}，实际 {counted}")
        if not wrong:
            self.stdout.write("在场车辆数全部相符")
        elif check:
            raise CommandError(f"{len(wrong)} 个停车点在场车辆数不符")
        else:
            self.stdout.write(f"已更正 {len(wrong)} 个停车点")
