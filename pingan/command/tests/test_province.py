"""One installation for a province: 省 and 市（州） above the districts. Their paths
are their code prefixes (lib/divisions), so a leader at the province or a city sees
every district under it, and the overview compares cities, or a city's districts."""

import pytest

from pingan.accounts.models import Role
from pingan.command.overview import overview
from pingan.conftest import geo, make_user
from pingan.events.selectors import events_for_user
from pingan.events.services import event_report
from pingan.events.tests.conftest import IN_A1_1, report_in
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.regions.services import RegionError, region_create


def node(level, code, name, parent, box):
    return region_create(
        actor=None, level=level, code=code, name=name, parent=parent, boundary=geo(*box)
    )


@pytest.fixture
def province(tree, personas, departments):
    """青海省 → 海东市 → 平安区 (the test tree, put under it) and 西宁市 → 城东区."""
    qinghai = node(Level.PROVINCE, "630000000000", "青海省", None, (90, 20, 120, 40))
    haidong = node(Level.CITY, "630200000000", "海东市", qinghai, (95, 25, 105, 35))
    Region.objects.filter(pk=tree.district.pk).update(parent=haidong)
    xining = node(Level.CITY, "630100000000", "西宁市", qinghai, (106, 25, 115, 35))
    chengdong = node(Level.DISTRICT, "630102000000", "城东区", xining, (110, 30, 112, 34))
    street = node(Level.TOWNSHIP, "630102001000", "东关街道", chengdong, (110, 30, 112, 34))
    village = node(Level.VILLAGE, "630102001001", "东关社区", street, (110, 30, 112, 34))
    grid = node(Level.GRID, "630102001001001", "东关第1网格", village, (110, 30, 112, 34))
    worker = make_user("xn_worker", Role.GRID_WORKER, grid)
    for _ in range(2):
        event_report(actor=worker, channel="grid_worker", report=report_in(where=(111, 31)))
    event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in(where=IN_A1_1)
    )
    return {"qinghai": qinghai, "haidong": haidong, "xining": xining, "chengdong": chengdong}


def test_paths_of_a_province_and_a_city_are_their_prefixes(province, tree):
    assert (province["qinghai"].path, province["haidong"].path) == ("63", "6302")
    assert province["chengdong"].path == "630102/"  # a district's path is unchanged
    tree.district.refresh_from_db()
    assert [r.name for r in tree.township_a.ancestors()] == ["青海省", "海东市", "平安区"]


def test_a_province_leader_sees_every_city_and_compares_them(province):
    leader = make_user("sheng_leader", Role.LEADER, province["qinghai"])
    assert events_for_user(leader).count() == 3
    figures = overview(leader)
    assert figures["area_level"] == "city" and figures["reported"] == 3
    assert {row["name"]: row["value"] for row in figures["by_area"]} == {
        "西宁市": 2,
        "海东市": 1,
    }


def test_a_city_leader_sees_its_districts_only(province):
    leader = make_user("xn_leader", Role.LEADER, province["xining"])
    assert events_for_user(leader).count() == 2
    figures = overview(leader)
    assert figures["area_level"] == "district"
    assert figures["by_area"] == [{"name": "城东区", "value": 2}]


def test_a_district_centre_does_not_see_its_neighbour(province, personas):
    assert events_for_user(personas.dispatcher).count() == 1


def test_a_city_belongs_under_its_province_only(province):
    with pytest.raises(RegionError, match="不能直接属于"):
        node(Level.CITY, "630300000000", "某市", province["haidong"], (96, 26, 97, 27))


def test_the_whole_installations_centre_compares_its_cities(province):
    unbound = make_user("sheng_centre", Role.CITY_CENTRE)
    assert overview(unbound)["area_level"] == "city"
    assert events_for_user(unbound).count() == 3


def test_a_city_centre_bound_to_its_city_reads_that_city_only(province):
    haidong = make_user("hd_centre", Role.CITY_CENTRE, province["haidong"])
    assert events_for_user(haidong).count() == 1
    assert overview(haidong)["area_level"] == "district"
