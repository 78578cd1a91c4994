"""What each role sees in the top menu and where it lands after signing in: one
table, so a page a role cannot use is not offered to it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pingan.accounts.models import CENTRE_STAFF, GRID_ROLES, PARKING_VIEWERS, Role, User

StrOrPromise = str | Promise
STAFF = CENTRE_STAFF | GRID_ROLES | {Role.LEADER}


@dataclass(frozen=True)
class Item:
    url_name: str
    label: StrOrPromise
    roles: frozenset[str]
    superusers: bool = False  # also offered to a superuser of another role (the city's)

    def offered(self, user: User) -> bool:
        return user.role in self.roles or (self.superusers and user.is_superuser)


MENU = [
    Item("regions:mine", _("我的辖区"), STAFF),
    Item("regions:map", _("网格地图"), STAFF),
    Item("events:queue", _("事件调度"), CENTRE_STAFF | {Role.GRID_LEADER, Role.LEADER}),
    Item("events:todo", _("部门待办"), frozenset({Role.DEPARTMENT})),
    Item("registry:data", _("基础数据"), CENTRE_STAFF | GRID_ROLES),
    Item("registry:visits", _("走访任务"), CENTRE_STAFF | GRID_ROLES),
    Item("things:parts", _("部件"), STAFF),
    Item("video:cameras", _("雪亮工程"), CENTRE_STAFF | {Role.LEADER}),
    Item("parking:manage", _("慧停车"), PARKING_VIEWERS),
    Item("command:overview", _("综合概况"), CENTRE_STAFF | {Role.LEADER}),
    Item("command:assessment", _("评价考核"), CENTRE_STAFF | {Role.LEADER}),
    Item("fieldwork:home", _("工作统计"), CENTRE_STAFF | {Role.GRID_LEADER, Role.LEADER}),
    Item("fieldwork:app", _("移动工作台"), GRID_ROLES),
    Item("events:mobile_report", _("上报事件"), GRID_ROLES),
    Item("counter:desk", _("网上申请"), CENTRE_STAFF | {Role.DEPARTMENT}),
    Item("convenience:appointments", _("预约办事"), CENTRE_STAFF),
    Item("convenience:estates", _("小区物业"), CENTRE_STAFF),
    Item("links:figures", _("各区县统计"), frozenset({Role.CITY_CENTRE})),
    Item("links:health", _("互联互通"), frozenset({Role.ADMIN}), superusers=True),
    Item("web:system", _("系统状态"), frozenset({Role.ADMIN}), superusers=True),
    Item("notices:inbox", _("消息"), STAFF | {Role.DEPARTMENT}),
]

START: dict[str, str] = {
    Role.DEPARTMENT: "events:todo",
    Role.PARKING: "parking:manage",
    Role.GRID_WORKER: "fieldwork:app",
    Role.GRID_LEADER: "fieldwork:app",
    Role.LEADER: "command:overview",
    Role.VILLAGE_CENTRE: "events:queue",
    Role.TOWNSHIP_CENTRE: "events:queue",
    Role.DISTRICT_CENTRE: "events:queue",
    Role.CITY_CENTRE: "events:queue",
}


def menu(user: User) -> list[tuple[str, str]]:
    """(url, label) of the pages this user's role can use."""
    if not user.is_authenticated:
        return []
    return [(reverse(item.url_name), str(item.label)) for item in MENU if item.offered(user)]


def start_page(user: User) -> str:
    """The URL name a user lands on: a department on its to-do list, a grid worker
    in the app, a leader in the command centre, a centre in the queue."""
    return START.get(user.role, "regions:mine")
