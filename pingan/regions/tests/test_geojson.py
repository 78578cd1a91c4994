import json

import pytest
from django.core.management import CommandError, call_command

from pingan.regions.geojson import ImportFailed, export_tree, import_tree
from pingan.regions.models import Region


def new_village_features():
    return [
        {
            "type": "Feature",
            "geometry": None,
            "properties": {
                "level": "village",
                "code": "630203001009",
                "name": "新社区",
                "parent_code": "630203001000",
            },
        },
    ]


def test_export_then_import_into_an_empty_database_gives_the_same_tree(tree):
    exported = export_tree(tree.district)
    assert len(exported["features"]) == 1 + 2 + 4 + 8
    for node in Region.objects.order_by("-path"):  # leaves first: parents are protected
        node.delete()
    result = import_tree(exported, actor=None)
    assert result.created == 15
    assert export_tree(Region.objects.get(code=tree.district.code)) == exported


def test_import_reports_every_bad_feature_and_stores_nothing(tree):
    before = Region.objects.count()
    collection = {
        "type": "FeatureCollection",
        "features": [
            *new_village_features(),
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "level": "grid",
                    "code": "63020300100",
                    "name": "短码",
                    "parent_code": "630203001001",
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [1, 2]},
                "properties": {
                    "level": "village",
                    "code": "630203001008",
                    "name": "点",
                    "parent_code": "630203001000",
                },
            },
            {"type": "Feature", "geometry": None, "properties": {"level": "grid", "code": "1"}},
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "level": "village",
                    "code": "630203001007",
                    "name": "孤儿",
                    "parent_code": "630203001999",
                },
            },
        ],
    }
    with pytest.raises(ImportFailed) as failure:
        import_tree(collection, actor=None)
    errors = failure.value.errors
    assert len(errors) == 4
    assert any("15位" in e for e in errors) and any("Polygon" in e for e in errors)
    assert any("缺少属性 name" in e for e in errors) and any("不存在" in e for e in errors)
    assert Region.objects.count() == before


def test_a_good_file_imports(tree):
    result = import_tree(
        {"type": "FeatureCollection", "features": new_village_features()}, actor=None
    )
    assert result.created == 1
    assert Region.objects.get(code="630203001009").path.startswith(tree.township_a.path)


def test_not_a_feature_collection_is_refused(db):
    with pytest.raises(ImportFailed, match="1 处错误"):
        import_tree({"type": "Feature"}, actor=None)


def test_cli_export_and_import(tree, tmp_path):
    out = tmp_path / "tree.geojson"
    call_command("regions", "export", "--output", str(out))
    assert len(json.loads(out.read_text())["features"]) == 15
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("regions", "import", str(bad))
