"""`pingan demo`: 平安区 with its real townships and villages, plausible grids,
~40,000 households and ~128,000 synthetic residents, departments and one login
per role. Same seed, same district."""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import time
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker
from shapely.geometry import mapping

from pingan.accounts.models import Department, GrantKind, Role, User
from pingan.accounts.services import grant_give, user_create
from pingan.audit.services import journal_write
from pingan.bulk import analyze, bulk_insert, bulk_insert_values
from pingan.demo import basic_data, cameras, catalogue, fieldwork, geometry, history, parking, parts
from pingan.demo.divisions import Township, district_name, short_name, townships
from pingan.events import counts as event_counts
from pingan.events.open311 import api_key_create
from pingan.history.services import ahead_round as make_months
from pingan.lib import divisions, idnumber
from pingan.lib.divisions import Level
from pingan.regions.models import GridType, Region
from pingan.regions.services import region_create
from pingan.registry.crypto import cipher
from pingan.registry.models import Household, Person
from pingan.registry.services import phone_fields

CENTER = (102.05, 36.47)  # 平安区, east of 西宁 on the 湟水
HOUSEHOLDS = 40_000
DEMO_PASSWORD = "pingan-demo-2026"
# The Open311 api_key of the demo district (also in the README).
DEMO_API_KEY = "pingan-demo-open311-key"
GROUP_NAMES = "一二三四五六"
# Area codes seen on residents' cards: the district's own, its predecessor 平安县
# (abolished in 2015, still valid on old cards) and neighbours.
AREA_CODES = [
    ("630203", 60),
    ("632121", 25),
    ("630202", 5),
    ("630102", 4),
    ("632123", 3),
    ("622921", 3),
]
ETHNIC_URBAN = [("汉族", 70), ("回族", 18), ("藏族", 7), ("土族", 5)]
ETHNIC_HUI = [("回族", 62), ("汉族", 28), ("藏族", 6), ("土族", 4)]
ETHNIC_TOWN = [("汉族", 62), ("回族", 22), ("藏族", 10), ("土族", 6)]
DEPARTMENTS = [
    ("cg", "平安区城市管理局", "城管"),
    ("ly", "平安区林业和草原局", "林业"),
    ("ga", "海东市公安局平安分局", "公安"),
    ("scjg", "平安区市场监督管理局", "市场监管"),
    ("zj", "平安区住房和城乡建设局", "住建"),
    ("hb", "海东市生态环境局平安分局", "环保"),
    ("mz", "平安区民政局", "民政"),
    ("jt", "平安区交通运输局", "交通"),
    ("sl", "平安区水利局", "水利"),
    ("wj", "平安区卫生健康局", "卫健"),
    ("jy", "平安区教育局", "教育"),
    ("xf", "平安区消防救援大队", "消防"),
]


@dataclass
class DemoResult:
    district: Region
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def load(
    *,
    seed: int = 630203,
    households: int = HOUSEHOLDS,
    district_code: str = "630203",
    password: str = DEMO_PASSWORD,
) -> DemoResult:
    started = time.perf_counter()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    with transaction.atomic():
        district, grids = _build_tree(district_code, households, rng)
        departments = _build_departments(district)
        counts = _build_people(grids, rng, fake)
        _build_grid_workers(grids, fake, password)
        _build_logins(district, departments, password)
        api_key_create("演示Open311客户端", DEMO_API_KEY)
        counts |= basic_data.build([g.region for g in grids], rng, timezone.localdate())
        counts |= fieldwork.build(basic_data.WANGGE_GRID, rng)
        counts["events"] = _build_events(grids, rng)
        counts |= parts.build([g.region for g in grids], rng)
        counts |= cameras.build(district, [g.region for g in grids], rng)
        counts |= parking.build(
            [g.region for g in grids if g.urban] or [g.region for g in grids], rng
        )
        counts["past_events"] = history.build(rng)
        counts |= catalogue.build(district, rng, password)
        event_counts.recount()  # the history went in in bulk, past the services
        # Two years back went to the DEFAULT partition: give each month its own.
        make_months(timezone.now())
        counts |= {
            "townships": Region.objects.filter(level=Level.TOWNSHIP).count(),
            "villages": Region.objects.filter(level=Level.VILLAGE).count(),
            "grids": len(grids),
            "departments": len(departments),
        }
        journal_write(
            actor=None,
            action="demo.load",
            object_type="region",
            object_id=district.code,
            region_path=district.path,
            data={"seed": seed, **counts},
        )
    analyze()
    return DemoResult(district, counts, time.perf_counter() - started)


# ---- the tree -------------------------------------------------------------------


@dataclass
class PlannedGrid:
    region: Region
    households: int
    urban: bool
    hui: bool
    township: Township
    village_name: str


def _build_tree(code: str, total_households: int, rng: random.Random):
    outline = geometry.district_outline(CENTER, rng)
    outline = geometry.split(outline, 1, rng)[0]
    district = region_create(
        actor=None,
        level=Level.DISTRICT,
        code=divisions.full_code(Level.DISTRICT, code),
        name=district_name(code),
        parent=None,
        boundary=mapping(outline),
        journal=False,
    )
    all_townships = townships(code)
    weights = _village_weights(all_townships, rng)
    scale = total_households / sum(weights.values())
    planned: list[PlannedGrid] = []
    township_cells = geometry.split(outline, len(all_townships), rng)
    for township, cell in zip(all_townships, township_cells, strict=False):
        node = region_create(
            actor=None,
            level=Level.TOWNSHIP,
            code=divisions.full_code(Level.TOWNSHIP, township.code),
            name=township.name,
            parent=district,
            boundary=mapping(cell),
            journal=False,
        )
        planned += _build_villages(node, township, cell, weights, scale, rng)
    return district, planned


def _village_weights(all_townships: list[Township], rng: random.Random) -> dict[str, float]:
    weights = {}
    for township in all_townships:
        for village in township.villages:
            base = rng.uniform(900, 2000) if village.community else rng.uniform(150, 420)
            weights[township.code + village.name] = base
    return weights


def _build_villages(node, township, cell, weights, scale, rng) -> list[PlannedGrid]:
    planned = []
    cells = geometry.split(cell, len(township.villages), rng)
    next_number = {True: 1, False: 200}  # 社区 from 001, 村 from 200
    for village, village_cell in zip(township.villages, cells, strict=False):
        number = next_number[village.community]
        next_number[village.community] += 1
        vnode = region_create(
            actor=None,
            level=Level.VILLAGE,
            code=f"{township.code}{number:03d}",
            name=village.name,
            parent=node,
            boundary=mapping(village_cell),
            journal=False,
        )
        vnode.office_address, vnode.office_phone = _office(township, village, number)
        vnode.save(update_fields=["office_address", "office_phone"])
        count = max(60, round(weights[township.code + village.name] * scale))
        planned += _build_grids(vnode, village, village_cell, count, township, rng)
    return planned


def _place_name(township: Township, village_name: str) -> str:
    """A village as an address begins: 三合镇下寨村, but 三合镇社区 alone (its name
    already holds the town's)."""
    if village_name.startswith(township.name):
        return village_name
    return f"{township.name}{village_name}"


def _office(township: Township, village, number: int) -> tuple[str, str]:
    """The village committee's office, where its 便民服务站 sits. A community's name
    often repeats the town's (三合镇社区): the town is not written twice."""
    committee = "居民委员会" if village.community else "村民委员会"
    where = (
        village.name
        if village.name.startswith(township.name)
        else (f"{township.name}{village.name}")
    )
    return (
        f"{where}{committee}一楼便民服务站",
        f"0972-86{int(township.code[6:9]) % 100:02d}{number:03d}",
    )


def _build_grids(vnode, village, cell, households, township, rng) -> list[PlannedGrid]:
    if village.community:
        # Towns: grids of 300–500 households.
        parts = max(1, math.ceil(households / 450))
        groups = [
            ("", households // parts + (1 if i < households % parts else 0)) for i in range(parts)
        ]
    else:
        # Countryside: one grid per village group (社), two for a very large one.
        group_count = rng.randint(1, 4) if households > 120 else 1
        sizes = _split_count(households, group_count, rng)
        groups = [(f"{GROUP_NAMES[i]}社", size) for i, size in enumerate(sizes)]
    cells = geometry.split(cell, len(groups), rng)
    planned = []
    for sequence, ((group, size), grid_cell) in enumerate(zip(groups, cells, strict=False), 1):
        name = (
            f"{village.name}{group or ''}第{sequence}网格"
            if not group
            else f"{village.name}{group}网格"
        )
        grid = region_create(
            actor=None,
            level=Level.GRID,
            code=f"{vnode.code}{sequence:03d}",
            name=name,
            parent=vnode,
            boundary=mapping(grid_cell),
            grid_type=GridType.BASIC,
            household_count=size,
            village_group=group,
            journal=False,
        )
        planned.append(
            PlannedGrid(
                grid, size, village.community, "回族" in township.name, township, village.name
            )
        )
    return planned


def _split_count(total: int, parts: int, rng: random.Random) -> list[int]:
    shares = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    sizes = [max(1, int(total * share / sum(shares))) for share in shares]
    sizes[0] += total - sum(sizes)
    return sizes


# ---- people ---------------------------------------------------------------------


def _pick(rng: random.Random, table: list[tuple[str, int]]) -> str:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _build_people(grids: list[PlannedGrid], rng: random.Random, fake: Faker) -> dict[str, int]:
    seen_ids: set[str] = set()
    today = dt.date(2026, 11, 1)
    household_rows: list[Household] = []
    members: list[list[dict]] = []
    for planned in grids:
        grid = planned.region
        polygon = geometry.shapely_shape(grid.boundary or {})
        points = geometry.random_points(polygon, planned.households, rng)
        ethnic = ETHNIC_URBAN if planned.urban else ETHNIC_HUI if planned.hui else ETHNIC_TOWN
        for index, (lng, lat) in enumerate(points, 1):
            household_rows.append(
                Household(
                    grid=grid,
                    region_path=grid.path,
                    number=f"{grid.code}{index:04d}",
                    address=_address(planned, index, rng),
                    village_group=grid.village_group,
                    lng=round(float(lng), 6),
                    lat=round(float(lat), 6),
                )
            )
            members.append(_family(rng, fake, _pick(rng, ethnic), today, seen_ids))
    bulk_insert(household_rows)
    people = [
        _person(row.grid, row, member)
        for row, family in zip(household_rows, members, strict=True)
        for member in family
    ]
    bulk_insert_values(Person, people)
    return {"households": len(household_rows), "people": len(people)}


# The estates of a town's community, one per grid, so no two grids share addresses.
ESTATES = [
    "幸福家园",
    "湟水花园",
    "康宁小区",
    "金河湾",
    "民和苑",
    "平安嘉园",
    "文化路小区",
    "阳光小区",
    "东关小区",
    "惠民苑",
    "锦绣园",
    "和谐家园",
]


def _address(planned: PlannedGrid, index: int, rng: random.Random) -> str:
    """A household's address, unique in the district: a town's community has
    estates of buildings, 6 units of 4 flats each; a village numbers its houses
    within its 社."""
    place = _place_name(planned.township, planned.village_name)
    if planned.urban:
        sequence = int(planned.region.code[-3:])
        estate = ESTATES[(sequence - 1) % len(ESTATES)]
        if sequence > len(ESTATES):
            estate += f"{(sequence - 1) // len(ESTATES) + 1}期"
        flat = (index - 1) % 24
        building, unit = (index - 1) // 24 + 1, flat // 4 + 1
        room = f"{flat % 4 // 2 + 1}0{flat % 2 + 1}"
        return f"{place}{estate}{building}号楼{unit}单元{room}室"
    return f"{place}{planned.region.village_group}{index}号"


def _family(rng, fake, ethnicity, today, seen) -> list[dict]:
    surname = fake.last_name()
    size = rng.choices([1, 2, 3, 4, 5, 6], [10, 22, 28, 22, 12, 6])[0]
    head_age = rng.randint(24, 80)
    head_male = rng.random() < 0.82
    family = [_member(rng, fake, surname, head_age, head_male, "户主", ethnicity, today, seen)]
    if size >= 2:
        spouse_age = max(20, head_age + rng.randint(-5, 5))
        family.append(
            _member(
                rng,
                fake,
                fake.last_name(),
                spouse_age,
                not head_male,
                "配偶",
                ethnicity,
                today,
                seen,
            )
        )
    for relation, age in _descendants(rng, head_age, size - len(family)):
        family.append(
            _member(rng, fake, surname, age, rng.random() < 0.51, relation, ethnicity, today, seen)
        )
    return family


def _descendants(rng: random.Random, head_age: int, count: int) -> list[tuple[str, int]]:
    """Children of the head (at least 20 years younger), and in an older head's
    household grandchildren: at least 18 years younger than the eldest child there,
    or, with the parents away at work, 40 younger than the head."""
    grand = sum(1 for _ in range(count) if head_age > 62 and rng.random() < 0.4)
    children = [rng.randint(0, max(0, head_age - 20)) for _ in range(count - grand)]
    eldest = max(children) - 18 if children else head_age - 40
    if eldest < 0:  # no one old enough to be a parent: they are children too
        children += [rng.randint(0, max(0, head_age - 20)) for _ in range(grand)]
        grand = 0
    return [("子女", age) for age in children] + [
        ("孙子女", rng.randint(0, eldest)) for _ in range(grand)
    ]


def _member(rng, fake, surname, age, male, relation, ethnicity, today, seen) -> dict:
    born = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
    area = _pick(rng, AREA_CODES)
    while True:
        number = idnumber.generate(area, born, male=male, rng=rng)
        if number not in seen:
            seen.add(number)
            break
    given = fake.first_name_male() if male else fake.first_name_female()
    phone = fake.phone_number() if age >= 16 else ""
    return {
        "name": surname + given,
        "id": number,
        "male": male,
        "born": born,
        "relation": relation,
        "ethnicity": ethnicity,
        "phone": phone,
    }


def _person(grid: Region, household: Household, member: dict) -> dict:
    """A person's column values, as an import writes them (pingan/bulk.py)."""
    number = member["id"]
    return {
        "household_id": household.pk,
        "grid_id": grid.pk,
        "region_path": grid.path,
        "name": member["name"],
        "gender": "M" if member["male"] else "F",
        "birth_date": member["born"],
        "ethnicity": member["ethnicity"],
        "relation_to_head": member["relation"],
        "id_number_encrypted": cipher().encrypt(number),
        "id_number_hash": cipher().lookup_hash(number),
        "id_number_masked": idnumber.mask(number),
        **phone_fields(member["phone"]),
    }


# ---- staff ----------------------------------------------------------------------


def _build_departments(district: Region) -> list[Department]:
    departments = [
        Department(code=f"{district.code[:6]}-{code}", name=name, kind=kind, region=district)
        for code, name, kind in DEPARTMENTS
    ]
    for township in Region.objects.filter(level=Level.TOWNSHIP, parent=district):
        stem = short_name(township.name)
        departments.append(
            Department(
                code=f"{township.code[:9]}-sfs",
                name=f"{stem}司法所",
                kind="司法所",
                region=township,
            )
        )
        departments.append(
            Department(
                code=f"{township.code[:9]}-pcs",
                name=f"{stem}派出所",
                kind="派出所",
                region=township,
            )
        )
    return Department.objects.bulk_create(departments)


VACANT_GRID = "630203102001003"  # 三合镇社区第3网格: its worker left, none yet appointed


def _build_grid_workers(grids: list[PlannedGrid], fake: Faker, password: str) -> None:
    """One grid worker per grid, signing in as gw<grid code> with the demo password;
    but one grid whose post is vacant, as happens for weeks in life: its events'
    verification falls to the village centre."""
    hashed = make_password(password)  # once: 500 hashes would take a minute
    workers = []
    for planned in grids:
        user = User(
            username=f"gw{planned.region.code}",
            role=Role.GRID_WORKER,
            region=planned.region,
            display_name=fake.name(),
            password=hashed,
        )
        if planned.region.code == VACANT_GRID:
            user.is_active = False
        workers.append(user)
    User.objects.bulk_create(workers)


def _build_logins(district: Region, departments: list[Department], password: str):
    township = Region.objects.get(code="630203102000")  # 三合镇
    village = township.children.filter(level=Level.VILLAGE).order_by("code")[0]  # 三合镇社区
    grids = list(village.children.order_by("code"))
    chengguan = next(d for d in departments if d.kind == "城管")
    specs = [
        ("admin", Role.ADMIN, district, None, "系统管理员"),
        ("zhihui", Role.DISTRICT_CENTRE, district, None, "区综治中心调度员"),
        ("lingdao", Role.LEADER, district, None, "区领导"),
        ("xiangzhen", Role.TOWNSHIP_CENTRE, township, None, f"{township.name}综治中心"),
        ("cunju", Role.VILLAGE_CENTRE, village, None, f"{village.name}综治中心"),
        ("wanggezhang", Role.GRID_LEADER, grids[0], None, f"{village.name}网格长"),
        ("wangge", Role.GRID_WORKER, grids[0], None, f"{grids[0].name}网格员"),
        ("chengguan", Role.DEPARTMENT, None, chengguan, chengguan.name),
        ("zhifa", Role.DEPARTMENT, None, chengguan, "城管执法队员 马文军"),
        ("tingche", Role.PARKING, district, None, "慧停车运营管理员"),
        ("jumin", Role.RESIDENT, None, None, "居民"),
    ]
    for username, role, region, department, label in specs:
        user_create(
            actor=None,
            username=username,
            password=password,
            role=role,
            region=region,
            department=department,
            display_name=label,
        )
    leader = User.objects.get(username="wanggezhang")
    Region.objects.filter(pk__in=[g.pk for g in grids[:2]]).update(leader=leader)
    grant_give(
        actor=None,
        user=User.objects.get(username="zhihui"),
        kind=GrantKind.IDENTITY,
        reason="演示：区综治中心核实身份",
    )
    for username in ["zhihui", "xiangzhen", "cunju"]:
        grant_give(
            actor=None,
            user=User.objects.get(username=username),
            kind=GrantKind.CONTACT,
            reason="演示：回访反映人",
        )
    for username in ["zhihui", "xiangzhen", "cunju", "wanggezhang", "wangge"]:
        grant_give(
            actor=None,
            user=User.objects.get(username=username),
            kind=GrantKind.SENSITIVE,
            reason="演示：特殊人群服务管理和走访",
        )


DEMO_EVENTS = 120
DEMO_REPORTS = {
    "CG01": "路边垃圾堆放，影响通行",
    "CG02": "占道经营，堵塞人行道",
    "CG05": "井盖缺失，夜间危险",
    "CG03": "乱贴小广告",
    "ZZ01": "邻里因宅基地边界发生争执",
    "ZZ04": "自建房墙体开裂",
    "LY02": "山坡有焚烧秸秆烟雾",
    "HB03": "夜间施工噪声扰民",
    "MS04": "自来水管破裂漏水",
}


def _build_events(grids: list[PlannedGrid], rng: random.Random) -> int:
    """Events at every stage of the loop, filed and moved on through the real
    services, so the queue, the timelines and the journal are real."""
    from pingan.events.models import Category
    from pingan.events.services import Report, event_report, event_transition

    dispatcher = User.objects.get(username="zhihui")
    chengguan = User.objects.get(username="chengguan")
    categories = {c.code: c for c in Category.objects.filter(code__in=DEMO_REPORTS)}
    staffed = [g for g in grids if g.region.code != VACANT_GRID]
    for number in range(DEMO_EVENTS):
        planned = rng.choice(staffed)
        code = rng.choice(sorted(DEMO_REPORTS))
        polygon = geometry.shapely_shape(planned.region.boundary or {})
        lng, lat = geometry.random_points(polygon, 1, rng)[0]
        reporter = User.objects.get(username=f"gw{planned.region.code}")
        event = event_report(
            actor=reporter,
            channel="grid_worker",
            report=Report(
                category=categories[code],
                lng=float(lng),
                lat=float(lat),
                description=DEMO_REPORTS[code],
            ),
        ).event
        stage = number % 6
        if stage == 0:
            continue
        event = event_transition(event=event, action="accept", actor=dispatcher)
        if stage == 1 or not code.startswith("CG"):
            continue
        event = event_transition(
            event=event, action="dispatch", actor=dispatcher, department_id=chengguan.department_id
        )
        if stage == 2:
            continue
        event = event_transition(event=event, action="sign", actor=chengguan)
        if stage == 3:
            continue
        event = event_transition(event=event, action="handle", actor=chengguan, reason="已处置完毕")
        if stage == 4:
            continue
        event = event_transition(event=event, action="verify_pass", actor=reporter)
        event_transition(event=event, action="evaluate", actor=dispatcher, score=5)
    return DEMO_EVENTS


DEMO_USERNAMES = [
    "admin",
    "zhihui",
    "lingdao",
    "xiangzhen",
    "cunju",
    "wanggezhang",
    "wangge",
    "chengguan",
    "zhifa",
    "tingche",
    "bianmin",
    "jumin",
]


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, where) for each demo login that exists."""
    users = User.objects.filter(username__in=DEMO_USERNAMES).select_related("region", "department")
    by_name = {user.username: user for user in users}
    rows = []
    for username in DEMO_USERNAMES:
        user = by_name.get(username)
        if user is not None:
            where = (
                user.department.name
                if user.department
                else user.region.name
                if user.region
                else "—"
            )
            rows.append((username, user.get_role_display(), where))
    return rows


def new_api_key() -> str:
    return secrets.token_urlsafe(24)
