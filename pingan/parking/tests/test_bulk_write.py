"""bulk.bulk_write on the suite's database (SQLite and PostgreSQL runs): text,
numbers, JSON, nulls and datetimes come back as written, other rows untouched."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.bulk import bulk_write
from pingan.parking.models import Place, PlaceKind, Session, SessionState, Tariff

pytestmark = pytest.mark.django_db


def test_rows_are_written_back_field_by_field(tree):
    tariff = Tariff.objects.create(code="T", name="t")
    place = Place.objects.create(
        code="P", kind=PlaceKind.STREET, name="路", region=tree.village_a1,
        region_path=tree.village_a1.path, lng=100.5, lat=31.0, tariff=tariff,
    )  # fmt: skip
    stays = [
        Session.objects.create(
            place=place, region_path=place.region_path, state=SessionState.OPEN, ticket=f"T{i}"
        )
        for i in range(3)
    ]
    left = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 30))
    stays[0].state, stays[0].fee_fen, stays[0].by_day, stays[0].left_at = (
        "closed",
        500,
        {"2026-12-01": 500},
        left,
    )
    stays[1].plate, stays[1].left_at = "青B12345", None
    bulk_write(stays[:2], ["state", "fee_fen", "by_day", "left_at", "plate"])
    first, second, third = Session.objects.order_by("pk")
    assert (first.state, first.fee_fen, first.by_day, first.left_at) == (
        "closed",
        500,
        {"2026-12-01": 500},
        left,
    )
    assert (second.plate, second.left_at, second.state) == ("青B12345", None, "open")
    assert third.ticket == "T2" and third.plate == ""
    bulk_write([], ["state"])
