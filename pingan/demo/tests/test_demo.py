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
    assert roles == set(Role.values)
    assert User.objects.get(username="zhihui").check_password(loader.DEMO_PASSWORD)
    assert list(journal_verify()) == []

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
