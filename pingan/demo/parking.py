"""The demo's 慧停车: the seed's 13 roads as 路内 segments in the town's grids and
four 路外 lots, each with its plate cameras (as 部件), on three tariffs; a week of
stays stored in bulk (fees by the real tariff walk), most paid, some in arrears,
some cars parked now. The driver's walk: 青B12345 owes two stays; its ticket is
DEMO8888 (printed by make run)."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from pingan.demo import geometry
from pingan.parking import plates, services, tariffs
from pingan.parking.models import (
    CameraRole,
    Direction,
    Passage,
    Place,
    PlaceKind,
    Session,
    SessionState,
    Space,
    SpaceKind,
    Tariff,
    TariffVersion,
)
from pingan.parking.rounds import recount
from pingan.regions.models import Region

# The seed names 新平大道, 乐都路 and 民和路; the other ten are plausible streets of 平安.
ROADS = [
    "新平大道", "乐都路", "民和路", "平安大道", "湟中路", "古驿大道", "迎宾路",
    "东大街", "西大街", "南大街", "北大街", "文化路", "新城路",
]  # fmt: skip
LOTS = [
    ("区政府停车场", 120),
    ("人民医院停车场", 200),
    ("汽车站停车场", 150),
    ("平安驿停车场", 300),
]
DAYS = 7
DEMO_PLATE, DEMO_TICKET = "青B12345", "DEMO8888"
SERIAL_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def build(grids: list[Region], rng: random.Random) -> dict[str, int]:
    if not grids:
        return {"parking_places": 0, "parking_stays": 0}
    now = timezone.now()
    since = now - dt.timedelta(days=DAYS + 1)
    street, wide, lot = _tariffs(since)
    places = _places(grids, rng, [street, wide], lot)
    for place in places:
        _cameras(place)
    pool = [_plate(rng) for _ in range(4000)]
    stays = sum(_history(place, pool, rng, now) for place in places)
    _driver(places[0], now)
    recount(fix=True)
    return {"parking_places": len(places), "parking_stays": stays + 2}


def _tariffs(since: dt.datetime) -> tuple[Tariff, Tariff, Tariff]:
    street = Tariff.objects.create(
        code="LN1", name="路内一类：30分钟内免费，首小时3元，之后每小时2元，每日最高20元"
    )
    TariffVersion.objects.create(
        tariff=street, valid_from=since, free_minutes=30, first_minutes=60, first_fen=300,
        step_minutes=60, step_fen=200, cap_fen=2000,
    )  # fmt: skip
    wide = Tariff.objects.create(code="LN2", name="路内二类：每30分钟1元，22:00—7:00免费")
    TariffVersion.objects.create(
        tariff=wide, valid_from=since, step_minutes=30, step_fen=100,
        night_from=dt.time(22), night_until=dt.time(7),
    )  # fmt: skip
    lot = Tariff.objects.create(code="LW1", name="路外：15分钟内免费，每小时1元，每日最高10元")
    TariffVersion.objects.create(
        tariff=lot, valid_from=since, free_minutes=15, step_minutes=60, step_fen=100, cap_fen=1000
    )
    return street, wide, lot


def _places(
    grids: list[Region], rng: random.Random, street_tariffs: list[Tariff], lot_tariff: Tariff
) -> list[Place]:
    shuffled = rng.sample(grids, len(grids))  # a small district: roads share grids
    chosen = [shuffled[i % len(shuffled)] for i in range(len(ROADS) + len(LOTS))]
    places = []
    for index, (grid, road) in enumerate(zip(chosen, ROADS, strict=False)):
        lng, lat = _point(grid, rng)
        spaces = rng.randrange(16, 41)
        place = Place.objects.create(
            code=f"LN{index + 1:03d}", kind=PlaceKind.STREET, name=f"{road}（路内）", road=road,
            region=_village(grid), region_path=_village(grid).path, lng=lng, lat=lat,
            line=[[lng, lat], [lng + 0.0004 * spaces / 10, lat + 0.0001]], capacity=spaces,
            opens=dt.time(7), closes=dt.time(22), tariff=street_tariffs[index % 2],
        )  # fmt: skip
        Space.objects.bulk_create(
            [
                Space(place=place, number=f"{place.code}-{n:03d}", kind=_space_kind(n, spaces))
                for n in range(1, spaces + 1)
            ]
        )
        places.append(place)
    for index, (grid, (name, capacity)) in enumerate(zip(chosen[len(ROADS) :], LOTS, strict=False)):
        lng, lat = _point(grid, rng)
        places.append(
            Place.objects.create(
                code=f"LW{index + 1:03d}",
                kind=PlaceKind.LOT,
                name=name,
                region=_village(grid),
                region_path=_village(grid).path,
                lng=lng,
                lat=lat,
                capacity=capacity,
                tariff=lot_tariff,
            )  # fmt: skip
        )
    return places


def _village(grid: Region) -> Region:
    assert grid.parent is not None  # a grid is always in a village
    return grid.parent


def _point(grid: Region, rng: random.Random) -> tuple[float, float]:
    area = geometry.shapely_shape(grid.boundary or {})
    if area.is_empty:
        return grid.inner_point()
    lng, lat = geometry.random_points(area, 1, rng)[0]
    return round(float(lng), 6), round(float(lat), 6)


def _space_kind(number: int, spaces: int) -> str:
    if number == 1:
        return SpaceKind.ACCESSIBLE
    if number in (2, 3):
        return SpaceKind.CHARGING
    return SpaceKind.FIXED if number == spaces else SpaceKind.ORDINARY


def _cameras(place: Place) -> None:
    if place.kind == PlaceKind.STREET:
        for n in (1, 2):
            services.camera_install(
                f"ZS-{place.code}-{n}", place, CameraRole.OVERHEAD, f"{place.road}高位视频{n}"
            )
    else:
        services.camera_install(f"ZS-{place.code}-IN", place, CameraRole.ENTRY, f"{place.name}入口")
        services.camera_install(f"ZS-{place.code}-OUT", place, CameraRole.EXIT, f"{place.name}出口")


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    head = "青B" if rng.random() < 0.8 else rng.choice(["青A", "青C", "甘A", "川A", "陕A"])
    if rng.random() < 0.12:
        return (
            head
            + rng.choice("DF")
            + rng.choice(letters + "0123456789")
            + f"{rng.randrange(10000):04d}"
        )
    return head + "".join(
        rng.choice(SERIAL_LETTERS.replace("O", "").replace("I", "")) for _ in range(5)
    )


def _history(place: Place, pool: list[str], rng: random.Random, now: dt.datetime) -> int:
    """A week of stays at the place, in bulk: entry and exit passages, stays
    charged by the tariff walk, 85% paid, the rest in arrears once a day old."""
    rates = place.tariff.versions.get().rates()
    version = place.tariff.versions.get()
    street = place.kind == PlaceKind.STREET
    today = timezone.localdate(now)
    planned: list[tuple[str, dt.datetime, dt.datetime | None]] = []
    parked_now = 0
    for back in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        turnover = rng.uniform(2.5, 4.5) if street else rng.uniform(1.2, 2.2)
        for _ in range(int(place.capacity * turnover)):
            start = _arrival(day, rng)
            minutes = max(3, int(rng.lognormvariate(4.0 if street else 4.8, 0.7)))
            end = start + dt.timedelta(minutes=minutes)
            if start >= now:
                continue
            if end >= now:  # still parked, while there is room
                parked_now += 1
                end = end if parked_now <= place.capacity * 0.8 else now - dt.timedelta(minutes=1)
            planned.append((rng.choice(pool), start, end if end < now else None))
    passages: list[Passage] = []
    pairs: list[tuple[Passage, Passage | None]] = []
    camera_in = place.cameras.order_by("serial").first()
    for plate, start, left in planned:
        entry = _passage(place, camera_in, plate, Direction.IN, start, rng)
        exit_ = _passage(place, camera_in, plate, Direction.OUT, left, rng) if left else None
        passages.extend(p for p in (entry, exit_) if p is not None)
        pairs.append((entry, exit_))
    Passage.objects.bulk_create(passages, batch_size=2000)
    stays = []
    for (entry, exit_), (plate, start, gone) in zip(pairs, planned, strict=True):
        charged = tariffs.charge(rates, start, gone) if gone else tariffs.FREE
        paid = gone is not None and rng.random() < 0.85
        stays.append(
            Session(
                place=place,
                region_path=place.region_path,
                plate=plate,
                entry=entry,
                exit=exit_,
                entered_at=start,
                left_at=gone,
                state=SessionState.CLOSED if gone else SessionState.OPEN,
                version=version,
                fee_fen=charged.fen,
                by_day={str(d): f for d, f in charged.by_day.items()},
                paid_fen=charged.fen if paid else 0,
                paid_at=gone if paid else None,
                arrears=bool(
                    gone and not paid and charged.fen and now - gone > dt.timedelta(hours=24)
                ),
                ticket=services.new_ticket(),
            )  # fmt: skip
        )
    Session.objects.bulk_create(stays, batch_size=2000)
    return len(stays)


def _arrival(day: dt.date, rng: random.Random) -> dt.datetime:
    """Mornings and late afternoons are busiest."""
    hour = rng.choices(range(7, 22), weights=[3, 8, 9, 7, 6, 6, 5, 5, 6, 8, 9, 7, 4, 3, 2])[0]
    naive = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
    return timezone.make_aware(naive)


def _passage(
    place, camera, plate: str, direction: str, at: dt.datetime, rng: random.Random
) -> Passage:
    read = plates.read(plate)
    return Passage(
        place=place, camera=camera, plate=read.text, plate_raw=plate, kind=read.kind,
        colour=plates.colour_of(None, read), valid=read.valid, confidence=rng.randrange(85, 100),
        direction=direction, at=at, received_at=at,
    )  # fmt: skip


def _driver(place: Place, now: dt.datetime) -> None:
    """青B12345 left two stays unpaid on the first road; the driver's page finds
    them with the ticket DEMO8888."""
    version = place.tariff.versions.get()
    camera = place.cameras.order_by("serial").first()
    steady = random.Random(0)
    for days, ticket in ((1, DEMO_TICKET), (3, services.new_ticket())):
        start = (now - dt.timedelta(days=days)).replace(hour=9, minute=5, second=0, microsecond=0)
        end = start + dt.timedelta(minutes=135)
        charged = tariffs.charge(version.rates(), start, end)
        entry = _passage(place, camera, DEMO_PLATE, Direction.IN, start, steady)
        exit_ = _passage(place, camera, DEMO_PLATE, Direction.OUT, end, steady)
        Passage.objects.bulk_create([entry, exit_])
        Session.objects.create(
            place=place, region_path=place.region_path, plate=DEMO_PLATE,
            entry=entry, exit=exit_, entered_at=start, left_at=end,
            state=SessionState.CLOSED, version=version, fee_fen=charged.fen,
            by_day={str(d): f for d, f in charged.by_day.items()},
            arrears=days > 1, ticket=ticket,
        )  # fmt: skip
