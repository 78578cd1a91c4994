"""The demo loader at a small size (the full 40,000 households is measured by
bench/demo_load.py). Loading takes seconds, so each test checks a lot."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from pingan.accounts.models import Role, User
from pingan.audit.services import journal_verify
from pingan.demo import loader
from pingan.lib import idnumber
from pingan.lib.divisions import Level
from pingan.regions.geo import build_grid_index
from pingan.regions.models import Region
from pingan.registry.crypto import cipher
from pingan.registry.models import Household, Person


class Rollback(Exception):
    pass


def sample():
    people = Person.objects.order_by("region_path", "name", "birth_date")
    return list(people.values_list("name", "birth_date", "id_number_masked")[:300])


def test_demo_district_is_real_consistent_and_valid(db):
    call_command("demo", "--households", "1", "--seed", "7")
    townships = Region.objects.filter(level=Level.TOWNSHIP)
    assert sorted(t.code[:9] for t in townships) == [
        "630203001",
        "630203002",
        "630203102",
        "630203200",
        "630203201",
        "630203202",
        "630203203",
        "630203204",
    ]
    assert Region.objects.filter(level=Level.VILLAGE).count() == 118
    assert Region.objects.filter(name="乐都路社区", code__startswith="630203001").exists()

    index = build_grid_index()
    assert index.overlaps() == []
    for household in Household.objects.select_related("grid")[:500]:
        assert index.locate(household.lng, household.lat) == household.grid.code

    for person in Person.objects.all()[:300]:
        number = cipher().decrypt(person.id_number_encrypted)
        parsed = idnumber.parse(number)
        assert parsed.birth_date == person.birth_date and parsed.gender == person.gender
        assert person.id_number_masked == idnumber.mask(number)

    roles = set(User.objects.exclude(username__startswith="gw").values_list("role", flat=True))
    # The city's centre works on the city's own platform (`pingan demo_city`).
    assert roles == set(Role.values) - {Role.CITY_CENTRE}
    assert User.objects.get(username="zhihui").check_password(loader.DEMO_PASSWORD)
    assert list(journal_verify()) == []
    _parking_is_consistent()

    with pytest.raises(CommandError, match="已有区县"):
        call_command("demo")
    call_command("demo", "--if-empty")


def test_the_same_seed_gives_the_same_district(db):
    samples = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            loader.load(seed=11, households=1)
            samples.append(sample())
            raise Rollback
    assert samples[0] == samples[1] and len(samples[0]) == 300


def test_the_demo_is_what_a_district_would_find_plausible(db):
    """Invariants a local user checks by eye: ages within a household, addresses
    unique and written once, event texts fitting their category, today's terms."""
    import json
    from collections import Counter
    from pathlib import Path

    from pingan.events.models import Event
    from pingan.registry.models import Definition

    call_command("demo", "--households", "1", "--seed", "7")
    addresses = Counter(Household.objects.values_list("address", flat=True))
    assert addresses.most_common(1)[0][1] == 1, addresses.most_common(3)
    assert not any("社区区" in address for address in addresses)
    towns = list(Region.objects.filter(level=Level.TOWNSHIP).values_list("name", flat=True))
    doubled = [a for a in addresses if any(a.count(t) > 1 for t in towns)]
    assert doubled == []

    ages: dict[int, dict[str, list[int]]] = {}
    for household_id, relation, born in Person.objects.values_list(
        "household_id", "relation_to_head", "birth_date"
    ):
        ages.setdefault(household_id, {}).setdefault(relation, []).append(born.year)
    for household_id, family in ages.items():
        (head,) = family["户主"]
        for child in family.get("子女", []):
            assert child - head >= 19, (household_id, family)
        for grandchild in family.get("孙子女", []):
            assert grandchild - head >= 39, (household_id, family)
            if family.get("子女"):
                assert grandchild - min(family["子女"]) >= 17, (household_id, family)

    texts = json.loads((Path(loader.__file__).parent / "event_texts.json").read_text("utf-8"))
    for code, text in loader.DEMO_REPORTS.items():
        texts[code].append(text)
    # The history and the live events (the dispute register's and the inspections'
    # texts are written by those registers, 【…】 first; a 部件 report names its part).
    written = Event.objects.exclude(description__startswith="【").exclude(channel="facility")
    for code, description in written.values_list("category__code", "description"):
        assert description in texts[code], (code, description)
    assert not Definition.objects.filter(name__contains="精准扶贫").exists()
    # Every demo part is kept by someone, water covers by the 水利局.
    from pingan.things.models import Part

    assert not Part.objects.filter(maintainer__isnull=True).exists()
    from pingan.video.models import Camera

    assert Camera.objects.exists() and Camera.objects.filter(online=False).exists()
    assert set(
        Part.objects.filter(part_class__code="0101").values_list("maintainer__name", flat=True)
    ) == {"平安区水利局"}
    assert Definition.objects.filter(name="防返贫监测对象").exists()


def _parking_is_consistent():
    """The seed's 13 roads and four lots, each camera a 部件, a week of stays whose
    live occupancy agrees with a recount, and the driver's dues behind the ticket."""
    from pingan.demo import parking
    from pingan.parking import payments, rounds
    from pingan.parking.models import Place, PlateCamera, Session

    assert Place.objects.filter(kind="street").count() == 13
    assert Place.objects.filter(kind="lot").count() == 4
    assert Place.objects.filter(road="新平大道").exists()
    assert not PlateCamera.objects.filter(part=None).exists()
    assert Session.objects.filter(state="closed").count() > 1000
    assert (
        Session.objects.filter(state="open").exists()
        and Session.objects.filter(arrears=True).exists()
    )
    assert rounds.recount(fix=False) == []
    owed = payments.owed_by(parking.DEMO_PLATE, parking.DEMO_TICKET)
    assert len(owed.ended) == 2 and owed.total_fen > 0
