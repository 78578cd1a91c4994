"""The demo city 海东市 (630200), as its own platform: the districts are nodes of
its tree whose contents (townships, grids, people) live in the districts' own
platforms, linked by `pingan link`. The city has its centre's dispatcher, a
its own departments for what it handles itself, and an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from pingan.accounts.models import Department, Role, User
from pingan.accounts.services import user_create
from pingan.demo.divisions import district_name
from pingan.demo.loader import DEMO_PASSWORD
from pingan.lib import divisions
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.regions.services import region_create

CITY_CODE = "630200"
CITY_NAME = "海东市"
DISTRICTS = ("630203", "630202")  # 平安区, 乐都区
DEPARTMENTS = [
    ("cg", "海东市城市管理局", "城管"),
    ("gt", "海东市自然资源和规划局", "国土"),
    ("gaj", "海东市公安局", "派出所"),
]
LOGINS = [
    ("shizhihui", Role.CITY_CENTRE, None, "市综治中心调度员"),
    ("shiadmin", Role.CITY_CENTRE, None, "市平台管理员"),  # also a superuser: 互联互通
    ("shichengguan", Role.DEPARTMENT, "cg", "海东市城市管理局"),
]


@dataclass
class City:
    districts: list[Region]
    logins: list[tuple[str, str, str]]


def load(password: str = DEMO_PASSWORD) -> City:
    with transaction.atomic():
        districts = [
            region_create(
                actor=None,
                level=Level.DISTRICT,
                code=divisions.full_code(Level.DISTRICT, code),
                name=district_name(code),
                parent=None,
                journal=False,
            )
            for code in DISTRICTS
        ]
        # A city department serves the whole city; the tree has no node for the
        # city itself, so it is filed under the first district.
        departments = {
            code: Department.objects.create(
                code=f"{CITY_CODE}-{code}", name=name, kind=kind, region=districts[0]
            )
            for code, name, kind in DEPARTMENTS
        }
        for username, role, department, label in LOGINS:
            user_create(
                actor=None,
                username=username,
                password=password,
                role=role,
                region=None,
                department=departments.get(department or ""),
                display_name=label,
            )
        User.objects.filter(username="shiadmin").update(is_superuser=True, is_staff=True)
    return City(districts, logins())


def logins() -> list[tuple[str, str, str]]:
    users = User.objects.filter(username__in=[name for name, *_ in LOGINS])
    return [(user.username, user.get_role_display(), user.label) for user in users]
