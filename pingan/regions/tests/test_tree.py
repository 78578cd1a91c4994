import pytest
from shapely.geometry import box, mapping

from pingan.audit.models import JournalEntry
from pingan.lib.divisions import Level
from pingan.regions.geo import locate
from pingan.regions.models import Region
from pingan.regions.services import RegionError, region_create, region_set_boundary


def test_paths_nest_so_a_subtree_is_a_prefix(tree):
    assert tree.grid_a1_1.path == "630203/630203001/630203001001/630203001001001/"
    under_township = Region.objects.filter(path__startswith=tree.township_a.path)
    assert under_township.count() == 1 + 2 + 4


def test_a_grid_must_belong_to_a_village(tree):
    with pytest.raises(RegionError, match="网格必须属于一个村或社区"):
        region_create(
            actor=None, level=Level.GRID, code="630203001000001", name="x", parent=tree.township_a
        )


def test_invalid_code_is_refused_and_nothing_stored(tree):
    count = Region.objects.count()
    with pytest.raises(RegionError, match="不在上级"):
        region_create(
            actor=None,
            level=Level.VILLAGE,
            code="630203102005",
            name="错村",
            parent=tree.township_a,
        )
    assert Region.objects.count() == count


def test_a_grid_outside_its_village_is_refused(tree):
    with pytest.raises(RegionError, match="超出了上级"):
        region_create(
            actor=None,
            level=Level.GRID,
            code="630203001001009",
            name="出界网格",
            parent=tree.village_a1,
            boundary=mapping(box(100, 30, 100.5, 35)),
        )
    assert not Region.objects.filter(code="630203001001009").exists()


def test_overlapping_grids_are_refused(tree):
    with pytest.raises(RegionError, match="重叠"):
        region_set_boundary(
            actor=None, region=tree.grid_a1_2, geometry=mapping(box(100.5, 30, 102, 32))
        )
    tree.grid_a1_2.refresh_from_db()
    assert tree.grid_a1_2.boundary["coordinates"][0][0][0] == 102


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [1, 2]}, "Polygon或MultiPolygon"),
        ({"type": "Polygon", "coordinates": "oops"}, "无法解析"),
        ({"coordinates": []}, "不是合法的GeoJSON"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "无效"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [500, 0], [500, 1], [0, 0]]]}, "经纬度"),
    ],
)
def test_malformed_geojson_gets_a_specific_error(tree, geometry, message):
    with pytest.raises(RegionError, match=message):
        region_set_boundary(actor=None, region=tree.grid_a1_1, geometry=geometry)


def test_point_lookup_gives_the_grid_and_an_outside_point_gives_none(tree):
    assert locate(100.5, 31).code == tree.grid_a1_1.code
    assert locate(0, 0) is None


def test_the_index_is_rebuilt_when_a_boundary_changes(tree):
    assert locate(101.75, 31).code == tree.grid_a1_2.code
    region_set_boundary(
        actor=None, region=tree.grid_a1_2, geometry=mapping(box(101, 30, 101.5, 32))
    )
    assert locate(101.25, 31).code == tree.grid_a1_2.code
    assert locate(101.75, 31) is None
    assert JournalEntry.objects.filter(action="region.boundary").count() == 1
