"""A 路内 segment and a 路外 lot in the shared tree, each with its cameras, on the
issue's two tariffs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from pingan.parking.models import CameraRole, Place, PlaceKind, PlateCamera, Tariff, TariffVersion
from pingan.parking.services import Sighting

SINCE = timezone.make_aware(dt.datetime(2026, 1, 1))


@dataclass
class Lots:
    street: Place
    lot: Place
    overhead: PlateCamera
    gate_in: PlateCamera
    gate_out: PlateCamera
    hourly: Tariff


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 12, day, hour, minute, second))


@pytest.fixture
def lots(tree) -> Lots:
    hourly = Tariff.objects.create(code="T1", name="路内一类")
    TariffVersion.objects.create(
        tariff=hourly,
        valid_from=SINCE,
        free_minutes=30,
        first_minutes=60,
        first_fen=300,
        step_minutes=60,
        step_fen=200,
        cap_fen=2000,
    )
    half = Tariff.objects.create(code="T2", name="路外")
    TariffVersion.objects.create(
        tariff=half,
        valid_from=SINCE,
        step_minutes=30,
        step_fen=100,
        night_from=dt.time(22),
        night_until=dt.time(7),
    )
    village = tree.village_a1
    street = Place.objects.create(
        code="P001",
        kind=PlaceKind.STREET,
        name="平安大道（一段）",
        road="平安大道",
        region=village,
        region_path=village.path,
        lng=100.5,
        lat=31.0,
        capacity=20,
        tariff=hourly,
    )
    lot = Place.objects.create(
        code="P101",
        kind=PlaceKind.LOT,
        name="区政府停车场",
        region=village,
        region_path=village.path,
        lng=100.51,
        lat=31.01,
        capacity=2,
        tariff=half,
    )
    return Lots(
        street,
        lot,
        PlateCamera.objects.create(
            serial="hp-001", place=street, role=CameraRole.OVERHEAD, accepted=True
        ),
        PlateCamera.objects.create(
            serial="in-101", place=lot, role=CameraRole.ENTRY, accepted=True
        ),
        PlateCamera.objects.create(
            serial="out-101", place=lot, role=CameraRole.EXIT, accepted=True
        ),
        hourly,
    )


def seen(camera: PlateCamera, plate: str, direction: str, when: dt.datetime, **more) -> Sighting:
    assert camera.place is not None
    return Sighting(
        place=camera.place, camera=camera, plate=plate, direction=direction, at=when, **more
    )
