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


def test_import_through_the_web_page_lists_errors_and_stores_nothing(tree, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    client = Client()
    client.force_login(personas.township_officer)
    bad = {
        "type": "FeatureCollection",
        "features": [
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
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "level": "village",
                    "code": "630203102209",
                    "name": "越权村",
                    "parent_code": "630203102000",
                },
            },
        ],
    }
    upload = SimpleUploadedFile("tree.geojson", json.dumps(bad).encode())
    page = client.post(f"/regions/{tree.township_a.code}/import/", {"file": upload}, follow=True)
    text = page.content.decode()
    assert "导入失败" in text and "无权修改" in text
    assert not Region.objects.filter(code="630203001009").exists()

    good = {"type": "FeatureCollection", "features": bad["features"][:1]}
    upload = SimpleUploadedFile("tree.geojson", json.dumps(good).encode())
    page = client.post(f"/regions/{tree.township_a.code}/import/", {"file": upload}, follow=True)
    assert "新建 1 个" in page.content.decode()


def test_import_api_returns_every_error(tree, personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.dispatcher)
    body = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": None, "properties": {"level": "grid"}}],
    }
    response = client.post("/api/regions/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert len(response.json()["error"]["details"]) == 1


def test_only_an_administrator_creates_a_district(tree, personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.dispatcher)
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"level": "district", "code": "630202000000", "name": "乐都区"},
            }
        ],
    }
    response = client.post("/api/regions/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 422 and "管理员" in response.json()["error"]["details"][0]
    client.force_login(personas.admin)
    response = client.post("/api/regions/import", json.dumps(body), content_type="application/json")
    assert response.status_code == 200


def test_boundary_api_refuses_bad_geometry_and_outsiders(tree, personas):
    from django.test import Client

    client = Client()
    client.force_login(personas.grid_worker_b)
    geometry = {"type": "Point", "coordinates": [1, 2]}
    url = f"/api/regions/{tree.grid_a1_2.code}/boundary"
    response = client.put(url, json.dumps(geometry), content_type="application/json")
    assert response.status_code == 422 and "Polygon" in response.json()["error"]["message"]
    url = f"/api/regions/{tree.grid_a1_1.code}/boundary"
    response = client.put(url, json.dumps(geometry), content_type="application/json")
    assert response.status_code == 404
