"""The demo district's 9+X data beyond people and households: rental houses with
their tenants, organisations and places, and category records at realistic rates
(the seed's district: 2,560 精准扶贫 households, since 2021 脱贫户 and
防返贫监测对象), with follow-up visits due and overdue, so the registry pages and
the grid worker's visiting list are real."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from pingan.accounts.models import User
from pingan.bulk import bulk_insert
from pingan.lib import creditcode
from pingan.regions.models import Region
from pingan.registry import records
from pingan.registry.codes import HouseUse, LivingAs, OrganisationKind, PlaceKind, ResidentType
from pingan.registry.definitions import definition_create
from pingan.registry.models import (
    Definition,
    House,
    Household,
    Organisation,
    Person,
    Place,
    Record,
    RiskLevel,
    Subject,
    Visit,
)

RENTAL_SHARE = 0.04
POVERTY_HOUSEHOLDS = 2560  # the seed's figure for its district
SPECIAL_GROUPS = {"released": 90, "correction": 45, "mental": 110, "drug": 40, "hiv-risk": 12}
KEY_YOUTH = 160
LEFT_BEHIND = 1500
WANGGE_GRID = "630203102001001"
RISKS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH]

# Since 2021 (巩固拓展脱贫攻坚成果): households lifted out of poverty (脱贫户) and those
# monitored against falling back (防返贫监测对象), no longer "精准扶贫户".
POVERTY_FIELDS = [
    {
        "key": "kind",
        "label": "监测类型",
        "type": "choice",
        "required": True,
        "choices": [
            ["1", "脱贫户"],
            ["2", "脱贫不稳定户"],
            ["3", "边缘易致贫户"],
            ["4", "突发严重困难户"],
        ],
    },
    {
        "key": "cause",
        "label": "主要风险",
        "type": "choice",
        "required": True,
        "choices": [["1", "因病"], ["2", "因残"], ["3", "因学"], ["4", "缺劳力"], ["5", "缺技术"]],
    },
    {"key": "income", "label": "年人均纯收入(元)", "type": "number", "required": False},
    {"key": "helper_name", "label": "帮扶责任人", "type": "text", "required": True},
    {"key": "year_out", "label": "脱贫年度", "type": "integer", "required": False},
    {"key": "measures", "label": "帮扶措施", "type": "text", "required": False},
]
MEASURES = ["产业帮扶", "就业帮扶（公益岗位）", "健康帮扶", "教育资助", "小额信贷", "低保兜底"]


@dataclass
class Pools:
    """People of the district sorted by what the categories need."""

    adults: list[Person]
    youth: list[Person]
    elderly: list[Person]
    children: list[Person]


def build(grids: list[Region], rng: random.Random, today: dt.date) -> dict[str, int]:
    admin = User.objects.get(username="admin")
    houses, made = _rental_houses(rng)
    counts = {"houses": houses}
    pools = _pools(rng, today)
    made += _people_records(pools, rng, today)
    made += _poverty(admin, rng, today)
    counts["organisations"], counts["places"] = _units(grids, rng, made, today)
    visited = _visits(made, rng, today)
    bulk_insert(made)
    bulk_insert([Visit(record_id=record.pk, **visit) for record, visit in visited])
    counts["records"] = len(made) + _disputes(admin, pools, rng)
    return counts


def _rental_houses(rng: random.Random) -> tuple[int, list[Record]]:
    """A share of households rent out their house: its members become tenants,
    floating population, in a house registered as 出租房."""
    chosen = [
        h
        for h in Household.objects.only(
            "id", "grid_id", "region_path", "address", "number", "lng", "lat"
        )
        if rng.random() < RENTAL_SHARE
    ]
    wangge = Household.objects.filter(region_path__endswith=f"{WANGGE_GRID}/").first()
    if wangge and all(h.pk != wangge.pk for h in chosen):
        chosen.append(wangge)
    houses = House.objects.bulk_create(
        [
            House(
                grid_id=h.grid_id,
                region_path=h.region_path,
                number=f"F{h.number}",
                address=h.address,
                use=HouseUse.RENTAL,
                owner_name="（房东）",
                area=rng.randint(40, 140),
                lng=h.lng,
                lat=h.lat,
            )
            for h in chosen
        ],
        batch_size=2000,
    )
    by_household = {h.pk: house for h, house in zip(chosen, houses, strict=True)}
    tenants = list(Person.objects.filter(household_id__in=list(by_household)))
    for person in tenants:
        person.house = by_household[person.household_id]  # type: ignore[index]
        person.living_as = LivingAs.TENANT
        person.resident_type = ResidentType.FLOATING
    Person.objects.bulk_update(tenants, ["house", "living_as", "resident_type"], batch_size=2000)
    rental = Definition.objects.get(code="rental")
    floating = Definition.objects.get(code="floating")
    today = timezone.localdate()
    made = [
        _record(
            rental,
            Subject.HOUSE,
            house,
            {"tenant_count": rng.randint(1, 5), "hazard": "01"},
            rng.choice(RISKS[:2]),
            today - dt.timedelta(days=rng.randint(10, 700)),
        )
        for house in houses
    ]
    made += [
        _record(
            floating,
            Subject.PERSON,
            person,
            {"reason": rng.choice(["01", "01", "01", "02", "05"]), "registered": "2025-03-01"},
            "",
            today - dt.timedelta(days=rng.randint(10, 700)),
        )
        for person in tenants
    ]
    return len(houses), made


def _pools(rng: random.Random, today: dt.date) -> Pools:
    rows = list(
        Person.objects.filter(resident_type=ResidentType.REGISTERED).only(
            "id", "grid_id", "region_path", "birth_date", "name"
        )
    )
    rng.shuffle(rows)

    def aged(low: int, high: int) -> list[Person]:
        return [p for p in rows if low <= (today - p.birth_date).days // 365 < high]

    # The grid worker of the demo logins gets a few of each, so their list is not empty.
    wangge = [p for p in rows if p.region_path.endswith(f"{WANGGE_GRID}/")]
    adults = wangge[:6] + aged(18, 70)
    return Pools(
        adults=adults, youth=wangge[6:8] + aged(12, 25), elderly=aged(65, 100), children=aged(3, 16)
    )


def _people_records(pools: Pools, rng: random.Random, today: dt.date) -> list[Record]:
    made: list[Record] = []
    used: set[int] = set()

    def take(pool: list[Person], count: int) -> list[Person]:
        picked = [p for p in pool if p.pk not in used][:count]
        used.update(p.pk for p in picked)
        return picked

    values = {
        "released": lambda: {
            "crime": rng.choice(["盗窃", "故意伤害", "诈骗"]),
            "sentence": "三年",
            "released": "2024-06-01",
            "assessment": "02",
        },
        "correction": lambda: {
            "kind": rng.choice(["02", "03"]),
            "crime": "危险驾驶",
            "starts": "2026-03-01",
            "ends": "2027-03-01",
        },
        "mental": lambda: {
            "guardian": "家属",
            "danger": rng.choice(["0", "1", "2", "3"]),
            "treatment": "01",
        },
        "drug": lambda: {"found": "2023-05-01", "control": rng.choice(["02", "04"])},
        "hiv-risk": lambda: {"attention": "定期随访"},
    }
    for code, count in SPECIAL_GROUPS.items():
        definition = Definition.objects.get(code=code)
        made += [
            _record(
                definition,
                Subject.PERSON,
                p,
                values[code](),
                rng.choice(RISKS),
                today - dt.timedelta(days=rng.randint(20, 900)),
            )
            for p in take(pools.adults, count)
        ]
    youth = Definition.objects.get(code="key-youth")
    made += [
        _record(
            youth,
            Subject.PERSON,
            p,
            {"kind": rng.choice(["01", "02", "04"]), "guardian": "父母"},
            rng.choice(RISKS),
            today - dt.timedelta(days=rng.randint(20, 600)),
        )
        for p in take(pools.youth, KEY_YOUTH)
    ]
    left = Definition.objects.get(code="left-behind")
    elderly, children = (
        take(pools.elderly, LEFT_BEHIND // 2),
        take(pools.children, LEFT_BEHIND // 2),
    )
    made += [
        _record(
            left,
            Subject.PERSON,
            p,
            {"kind": "03" if p in elderly else "01", "health": "02"},
            rng.choice(RISKS[:2]),
            today - dt.timedelta(days=rng.randint(20, 900)),
        )
        for p in elderly + children
    ]
    return made


def _poverty(admin: User, rng: random.Random, today: dt.date) -> list[Record]:
    """脱贫户 and 防返贫监测对象 as an administrator would add them: an X category,
    defined as data."""
    definition = definition_create(
        actor=admin,
        code="poverty-relief",
        name="防返贫监测对象",
        subject=Subject.HOUSEHOLD,
        fields=POVERTY_FIELDS,
        visit_days={"high": 30, "medium": 60, "low": 90},
    )
    households = list(Household.objects.only("id", "grid_id", "region_path"))
    rng.shuffle(households)
    return [
        _record(
            definition,
            Subject.HOUSEHOLD,
            h,
            {
                "kind": rng.choices("1234", [70, 12, 12, 6])[0],
                "cause": rng.choice("12345"),
                "income": rng.randint(6000, 15000),
                "helper_name": "驻村干部",
                "year_out": rng.choice([2018, 2019, 2020]),
                "measures": rng.choice(MEASURES),
            },
            rng.choice(RISKS),
            today - dt.timedelta(days=rng.randint(30, 900)),
        )
        for h in households[:POVERTY_HOUSEHOLDS]
    ]


def _units(grids: list[Region], rng: random.Random, made: list[Record], today: dt.date):
    """Enterprises, social organisations, couriers, schools, key areas and lines."""
    organisations = []
    for index in range(78):
        grid = rng.choice(grids)
        kind = OrganisationKind.ENTERPRISE if index < 66 else OrganisationKind.SOCIAL
        organisations.append(
            Organisation(
                grid=grid,
                region_path=grid.path,
                kind=kind,
                name=f"{grid.name[:4]}{_org_name(index, rng)}",
                credit_code=_credit_code(rng),
                legal_representative="法人代表",
                employees=rng.randint(3, 300),
                address=f"{grid.name}{rng.randint(1, 200)}号",
            )
        )
    organisations = Organisation.objects.bulk_create(organisations)
    private = Definition.objects.get(code="private-economy")
    social = Definition.objects.get(code="social-org")
    logistics = Definition.objects.get(code="logistics")
    for index, org in enumerate(organisations):
        if index < 60:
            made.append(
                _record(
                    private,
                    Subject.ORGANISATION,
                    org,
                    {"hazardous": rng.random() < 0.1, "attention": "01"},
                    "",
                    today,
                )
            )
        elif index < 66:
            made.append(
                _record(
                    logistics,
                    Subject.ORGANISATION,
                    org,
                    {"scanner": True, "real_name": True},
                    "",
                    today,
                )
            )
        else:
            made.append(
                _record(
                    social,
                    Subject.ORGANISATION,
                    org,
                    {"licence": f"51630203{index:06d}", "authority": "平安区民政局", "kind": "01"},
                    "",
                    today,
                )
            )
    places = []
    for index in range(31):
        grid = rng.choice(grids)
        place_kind = (
            PlaceKind.SCHOOL if index < 24 else PlaceKind.KEY_AREA if index < 28 else PlaceKind.LINE
        )
        name = {
            PlaceKind.SCHOOL: f"{grid.name[:4]}第{index + 1}小学",
            PlaceKind.KEY_AREA: f"{grid.name[:4]}车站周边",
            PlaceKind.LINE: f"G{109 + index}线平安段",
        }[place_kind]
        places.append(
            Place(
                grid=grid,
                region_path=grid.path,
                kind=place_kind,
                name=name,
                code=f"P{index + 1:04d}",
                address=grid.name,
            )
        )
    places = Place.objects.bulk_create(places)
    school = Definition.objects.get(code="school")
    key_area = Definition.objects.get(code="key-area")
    line = Definition.objects.get(code="guarded-line")
    for place in places:
        if place.kind == PlaceKind.SCHOOL:
            made.append(
                _record(
                    school,
                    Subject.PLACE,
                    place,
                    {"school_type": "02", "students": rng.randint(80, 1500), "principal": "校长"},
                    "",
                    today,
                )
            )
        elif place.kind == PlaceKind.KEY_AREA:
            made.append(
                _record(
                    key_area,
                    Subject.PLACE,
                    place,
                    {"problem": "盗窃多发", "lead_unit": "派出所"},
                    "",
                    today,
                )
            )
        else:
            made.append(
                _record(
                    line, Subject.PLACE, place, {"line_type": "01", "length_km": 12.5}, "", today
                )
            )
    return len(organisations), len(places)


def _org_name(index: int, rng: random.Random) -> str:
    if index >= 66:
        return rng.choice(["志愿者协会", "老年人协会", "红白理事会", "调解协会"])
    return rng.choice(["商贸有限公司", "建材厂", "农业专业合作社", "物流有限公司", "餐饮店"])


def _credit_code(rng: random.Random) -> str:
    body = "91630203" + "".join(rng.choice(creditcode.ALPHABET) for _ in range(9))
    return body + creditcode.check_char(body)


def _record(definition, subject, obj, values, risk, started) -> Record:
    return Record(
        definition=definition,
        version=definition.version,
        subject=subject,
        subject_id=obj.pk,
        grid_id=obj.grid_id,
        region_path=obj.region_path,
        values=values,
        risk_level=risk,
        started_on=started,
        next_visit_due=records.next_due(definition, risk, started),
    )


def _visits(made: list[Record], rng: random.Random, today: dt.date) -> list[tuple[Record, dict]]:
    """Most followed records were visited on time; a few are overdue, as in life.
    Moves each visited record's due date; the visits, for the records once stored."""
    visits = []
    for record in made:
        if record.next_visit_due is None or record.next_visit_due >= today:
            continue
        days = record.definition.visit_days[record.risk_level]
        if rng.random() < 0.9:  # visited recently: next visit still ahead
            last = today - dt.timedelta(days=rng.randint(0, max(0, days - 1)))
        else:  # overdue by up to half a period
            last = today - dt.timedelta(days=days + rng.randint(1, max(1, days // 2)))
        at = timezone.make_aware(dt.datetime.combine(last, dt.time(10)))
        visits.append((record, {"at": at, "note": "入户走访，了解近况，情况稳定"}))
        record.last_visit_at, record.next_visit_due = at, last + dt.timedelta(days=days)
    return visits


def _disputes(admin: User, pools: Pools, rng: random.Random) -> int:
    """A few disputes registered through the service, so each opens its event."""
    dispute = Definition.objects.get(code="dispute")
    titles = ["宅基地界线争执", "土地流转费用纠纷", "拖欠务工工资", "噪声扰邻", "赡养老人纠纷"]
    parties = [p for p in pools.adults[200:] if p.region_path][:12]
    for index, person in enumerate(parties):
        records.record_add(
            actor=admin,
            definition=dispute,
            subject=Person.objects.get(pk=person.pk),
            values={
                "title": titles[index % len(titles)],
                "happened": "2026-11-20",
                "kind": rng.choice(["02", "03", "04"]),
                "parties": rng.randint(2, 6),
            },
            risk_level=rng.choice(RISKS),
        )
    return len(parties)
