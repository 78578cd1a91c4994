"""The demo district's public services: its 政务服务事项目录 in the seed's figures
(3,818 items, 363 of them online), the directory of legal service institutions,
estates with their property companies, and a few applications, appointments and
complaints so that every desk has something on it.

Real catalogues list an item once per body that implements it: the district's
departments, each township's 便民服务中心 and each village's 便民服务站. The demo
does the same from a small set of real item names (with their 子项: 新办, 变更 …),
so the count comes from the shape of the district, not from a number typed in."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from pingan.accounts.models import Department, Role, User
from pingan.accounts.services import user_create
from pingan.bulk import bulk_insert
from pingan.convenience import services as convenience
from pingan.convenience.models import Estate, EstateService
from pingan.counter import services as counter
from pingan.counter.models import ItemKind, ServiceItem
from pingan.demo import geometry
from pingan.demo.divisions import short_name
from pingan.legal.models import Institution, InstitutionKind
from pingan.lib import idnumber
from pingan.lib.divisions import Level
from pingan.regions.models import Region

TOTAL_ITEMS = 3818  # the seed's district
ONLINE_ITEMS = 363
DATA = json.loads((Path(__file__).parent / "catalogue.json").read_text(encoding="utf-8"))
DEFAULT_CONDITIONS = "符合法律法规规定条件的申请人"
ID, HUKOU = "申请人居民身份证", "户口簿"


@dataclass(frozen=True)
class Template:
    """One real item of catalogue.json, with its 子项 (variants)."""

    name: str
    kind: str
    days: int
    materials: tuple[str, ...]
    department: str = ""  # a district department's code; "" at township and village
    online: bool = False  # could be offered online
    visits: int = 1
    variants: tuple[str, ...] = ("",)
    conditions: str = DEFAULT_CONDITIONS
    basis: str = ""

    @classmethod
    def of(cls, row: dict) -> Template:
        return cls(
            **row
            | {
                "materials": tuple(row["materials"]),
                "variants": tuple(row.get("variants", ("",))),
            }
        )


DISTRICT = [Template.of(row) for row in DATA["district"]]
TOWNSHIP = [Template.of(row) for row in DATA["township"]]
COMMON = [Template.of(row) for row in DATA["common"]]


def build(district: Region, rng: random.Random, password: str) -> dict[str, int]:
    departments = _departments(district)
    _desk_login(password)
    items = _items(district, departments, rng)
    counts = {"service_items": len(items), "online_items": sum(i.online for i in items)}
    counts["institutions"] = _institutions(district)
    counts["estates"] = _estates(district, rng)
    counts |= _activity(rng)
    return counts


def _departments(district: Region) -> dict[str, Department]:
    prefix = district.code[:6]
    for code, name, kind in DATA["district_departments"]:
        Department.objects.get_or_create(
            code=f"{prefix}-{code}", defaults={"name": name, "kind": kind, "region": district}
        )
    for township in Region.objects.filter(parent=district, level=Level.TOWNSHIP):
        Department.objects.get_or_create(
            code=f"{township.code[:9]}-bm",
            defaults={
                "name": f"{township.name}便民服务中心",
                "kind": "便民服务",
                "region": township,
            },
        )
    district_wide = Department.objects.filter(region=district, code__startswith=f"{prefix}-")
    return {d.code.removeprefix(f"{prefix}-"): d for d in district_wide}


def _desk_login(password: str) -> None:
    """bianmin: the staff of 三合镇's 便民服务中心, who handle its online applications."""
    user_create(
        actor=None,
        username="bianmin",
        password=password,
        role=Role.DEPARTMENT,
        region=None,
        department=Department.objects.get(code="630203102-bm"),
        display_name="三合镇便民服务中心",
    )


def _items(district, departments, rng) -> list[ServiceItem]:
    planned: list[tuple[Template, str, Region, Department]] = []
    for template in DISTRICT:
        department = departments[template.department]
        planned += [(template, v, district, department) for v in template.variants]
    townships = list(Region.objects.filter(parent=district, level=Level.TOWNSHIP).order_by("code"))
    for township in townships:
        centre = Department.objects.get(code=f"{township.code[:9]}-bm")
        planned += [(t, v, township, centre) for t in TOWNSHIP for v in t.variants]
        for village in township.children.filter(level=Level.VILLAGE).order_by("code"):
            planned += [(_village_template(name), "", village, centre) for name in DATA["village"]]
    common = [
        (template, "", district, department)
        for department in departments.values()
        for template in COMMON
    ]
    # The departments' own public services fill the catalogue up to the seed's size.
    planned += common[: max(0, TOTAL_ITEMS - len(planned))]
    planned = planned[:TOTAL_ITEMS]
    can_go_online = [n for n, (template, *_rest) in enumerate(planned) if template.online]
    online = set(rng.sample(can_go_online, min(ONLINE_ITEMS, len(can_go_online))))
    rows = [
        _item(n, template, variant, region, department, n in online)
        for n, (template, variant, region, department) in enumerate(planned)
    ]
    bulk_insert(rows)
    return rows


def _village_template(name: str) -> Template:
    return Template(name, ItemKind.PUBLIC_SERVICE, 1, (ID, HUKOU), online="代办" in name, visits=0)


def _item(n, template, variant, region, department, online) -> ServiceItem:
    place = {
        "district": "平安区政务服务中心（平安大道98号）",
        "township": f"{region.name}便民服务中心",
        "village": f"{region.name}便民服务站",
    }[region.level]
    return ServiceItem(
        code=f"{region.code[:12]}-{n + 1:05d}",
        name=template.name + variant,
        kind=template.kind,
        department=department,
        region=region,
        region_path=region.path,
        conditions=template.conditions,
        materials=list(template.materials),
        time_limit_days=template.days,
        online=online,
        visits=0 if online and template.visits <= 1 else max(1, template.visits),
        place=place,
        hours="工作日 9:00–12:00，14:30–17:30",
        phone="0972-8612345",
        basis=template.basis,
    )


# ---- legal service institutions -----------------------------------------------------


def _institutions(district: Region) -> int:
    rows = [
        Institution(region=district, region_path=district.path, **row)
        for row in DATA["institutions"]
    ]
    townships = Region.objects.filter(parent=district, level=Level.TOWNSHIP).order_by("code")
    for n, township in enumerate(townships):
        stem = short_name(township.name)
        phone = f"0972-86{70 + n:02d}{n + 1:03d}"
        rows += [
            Institution(
                kind=InstitutionKind.JUSTICE_OFFICE,
                name=f"{stem}司法所",
                region=township,
                region_path=township.path,
                address=f"{township.name}人民政府院内",
                phone=phone,
                services="法律咨询、人民调解指导、社区矫正、法律援助初审",
            ),
            Institution(
                kind=InstitutionKind.MEDIATION,
                name=f"{township.name}人民调解委员会",
                region=township,
                region_path=township.path,
                address=f"{township.name}综治中心",
                phone=phone,
                services="邻里、婚姻家庭、土地承包、宅基地等民间纠纷调解，不收费",
            ),
        ]
    Institution.objects.bulk_create(rows)
    return len(rows)


# ---- estates ----------------------------------------------------------------------------

COMPANIES = [
    ("海东安居物业服务有限公司", "0972-8681001"),
    ("青海康和物业管理有限公司", "0972-8681202"),
    ("平安区鑫源物业服务有限公司", "0972-8681403"),
]
ESTATE_NAMES = ["湟水花园", "平安家园", "康宁小区", "阳光新城", "丽景苑", "福源小区"]


def _estates(district: Region, rng: random.Random) -> int:
    communities = Region.objects.filter(
        path__startswith=district.path, level=Level.VILLAGE, name__endswith="社区"
    ).order_by("code")
    made = 0
    for n, community in enumerate(communities):
        grid = community.children.order_by("code").first()
        if grid is None or not grid.boundary:
            continue
        points = geometry.random_points(geometry.shapely_shape(grid.boundary), 2, rng)
        for k, (lng, lat) in enumerate(points):
            company, phone = COMPANIES[(n + k) % len(COMPANIES)]
            name = ESTATE_NAMES[(n * 2 + k) % len(ESTATE_NAMES)]
            township = community.parent.name if community.parent else ""
            estate = Estate.objects.create(
                name=f"{community.name.removesuffix('社区')}{name}",
                village=community,
                address=f"{township}{community.name}{name}",
                lng=float(lng),
                lat=float(lat),
                households=rng.randint(180, 900),
                company=company,
                company_phone=phone,
                manager=rng.choice(["马经理", "李经理", "张经理", "韩经理"]),
                contract_until=dt.date(2027 + k, 6, 30),
            )
            EstateService.objects.bulk_create(
                [
                    EstateService(estate=estate, name=name, fee=fee, note=note)
                    for name, fee, note in _fees(rng)
                ]
            )
            made += 1
    return made


def _fees(rng: random.Random) -> list[tuple[str, str, str]]:
    return [
        (
            "物业服务费（多层）",
            f"{rng.choice(['0.60', '0.75', '0.80'])}元/㎡·月",
            "含公共区域保洁、绿化、秩序维护",
        ),
        (
            "物业服务费（电梯房）",
            f"{rng.choice(['1.10', '1.20', '1.35'])}元/㎡·月",
            "含电梯日常运行维护",
        ),
        ("地面停车服务费", f"{rng.choice([60, 80, 100])}元/月", "不含车位使用费"),
        ("生活垃圾清运", "已含在物业服务费中", "每日清运"),
        ("二次供水设施维护", "已含在物业服务费中", "每半年清洗水箱一次"),
    ]


# ---- something on every desk ----------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
APPLICANTS = [("马海英", "13897201234"), ("李建国", "13709721188"), ("韩素梅", "18997205566")]


def _activity(rng: random.Random) -> dict[str, int]:
    """Online applications waiting at 三合镇's centre, in each state; appointments
    at 三合镇社区 for the coming days; a complaint about one estate."""
    township = Region.objects.get(code="630203102000")  # 三合镇
    centre = Department.objects.get(code="630203102-bm")
    online = ServiceItem.objects.filter(online=True, department=centre).order_by("code")
    handler = User.objects.filter(username="bianmin").first()
    applications = 0
    for n, item in enumerate(online[:6]):
        name, phone = APPLICANTS[n % len(APPLICANTS)]
        number = idnumber.generate("630203", dt.date(1970 + n * 5, 3, 8), male=n % 2 == 0, rng=rng)
        materials = {
            i: SimpleUploadedFile(f"{material}.pdf", PDF, "application/pdf")
            for i, material in enumerate(item.materials)
        }
        form = counter.ApplicationForm(name, phone, number, "网上申请（演示）", materials=materials)
        application = counter.application_submit(item=item, form=form)
        applications += 1
        if handler is None:
            continue
        moves = [[], ["accept"], ["request_more"], ["accept", "approve"], ["reject"], []][n]
        for move in moves:
            note = {
                "request_more": "请补交户口簿首页和本人页",
                "reject": "不符合受理条件：户籍不在本镇",
            }
            counter.application_move(
                actor=handler, application=application, action=move, note=note.get(move, "")
            )
    village = township.children.filter(level=Level.VILLAGE).order_by("code").first()
    days = convenience.bookable_days()
    appointments = 0
    for n, (name, phone) in enumerate(APPLICANTS):
        if village is None or not days:
            break
        convenience.appointment_book(
            convenience.Booking(
                kind="household" if n % 2 == 0 else "legal",
                village_code=village.code,
                day=days[0],
                slot="am" if n < 2 else "pm",
                name=name,
                phone=phone,
                note=["给孩子办理出生入户", "邻居占用通道，想咨询怎么办", "补办身份证"][n],
            )
        )
        appointments += 1
    estate = Estate.objects.order_by("id").first()
    if estate is not None:
        convenience.complaint_file(
            estate=estate, description="电梯坏了一周没人修，老人上下楼很困难"
        )
    return {"applications": applications, "appointments": appointments}
