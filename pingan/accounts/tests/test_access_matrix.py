"""For every role: reading and writing inside the own subtree works, and the same
request for a sibling subtree is refused. Through the real API, with a logged-in
client, so the whole read path (view → selector → access layer) is exercised."""

import json

import pytest
from django.test import Client

from pingan.audit.models import JournalEntry
from pingan.conftest import signed_in

# role → (a node inside the scope, the sibling node outside it)
READ_MATRIX = {
    "admin": ("grid_b1_1", None),
    "dispatcher": ("grid_b1_1", None),
    "leader": ("grid_b1_1", None),
    "township_officer": ("grid_a1_1", "township_b"),
    "village_officer": ("grid_a1_2", "village_a2"),
    "grid_leader": ("grid_a1_2", "village_a2"),
    "grid_worker_a": ("grid_a1_1", "grid_a1_2"),
    "grid_worker_b": ("grid_a1_2", "grid_a1_1"),
    "department_handler": ("grid_a1_1", "township_b"),
}
WRITERS = {
    "admin": ("grid_b1_1", None),
    "dispatcher": ("grid_b1_1", None),
    "township_officer": ("grid_a1_1", "grid_b1_1"),
    "village_officer": ("grid_a1_2", "grid_b1_1"),
    "grid_leader": ("grid_a1_2", "grid_b1_1"),
    "grid_worker_a": ("grid_a1_1", "grid_a1_2"),
    "grid_worker_b": ("grid_a1_2", "grid_a1_1"),
}
READ_ONLY = ["leader", "department_handler"]


def patch(client, code, body):
    return client.patch(f"/api/grids/{code}", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", READ_MATRIX)
def test_role_reads_inside_its_subtree_and_not_the_sibling(role, tree, personas, residents):
    client = signed_in(getattr(personas, role))
    inside, sibling = READ_MATRIX[role]
    inside_code = getattr(tree, inside).code
    assert client.get(f"/api/regions/{inside_code}").status_code == 200
    people = client.get("/api/people").json()["items"]
    assert any(p["grid_code"] == inside_code for p in people)
    if sibling:
        sibling_node = getattr(tree, sibling)
        response = client.get(f"/api/regions/{sibling_node.code}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert not any(p["grid_code"].startswith(sibling_node.path.split("/")[-2]) for p in people)
        assert client.get(f"/api/people?region={sibling_node.code}").status_code == 404
        assert client.get(f"/regions/{sibling_node.code}/").status_code == 404


@pytest.mark.parametrize("role", WRITERS)
def test_role_writes_inside_its_subtree_and_not_the_sibling(role, tree, personas):
    client = signed_in(getattr(personas, role))
    inside, sibling = WRITERS[role]
    response = patch(client, getattr(tree, inside).code, {"name": "改名网格", "reason": "测试"})
    assert response.status_code == 200, response.content
    assert JournalEntry.objects.filter(
        action="grid.update", object_id=getattr(tree, inside).code
    ).exists()
    if sibling:
        node = getattr(tree, sibling)
        before = node.name
        response = patch(client, node.code, {"name": "越权改名"})
        assert response.status_code in (403, 404)
        node.refresh_from_db()
        assert node.name == before


@pytest.mark.parametrize("role", READ_ONLY)
def test_read_only_roles_cannot_write_even_inside(role, tree, personas):
    client = signed_in(getattr(personas, role))
    response = patch(client, tree.grid_a1_1.code, {"name": "领导改名"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    tree.grid_a1_1.refresh_from_db()
    assert tree.grid_a1_1.name != "领导改名"


def test_resident_reads_nothing_from_staff_api(tree, personas, residents):
    client = signed_in(personas.resident)
    assert client.get(f"/api/regions/{tree.district.code}").status_code == 404
    assert client.get("/api/people").json()["items"] == []
    assert client.get("/api/grids?q=网格").json() == []


def test_anonymous_gets_401(tree):
    response = Client().get(f"/api/regions/{tree.district.code}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_grid_search_only_finds_grids_in_scope(tree, personas):
    client = signed_in(personas.grid_worker_a)
    found = {g["code"] for g in client.get("/api/grids?q=网格").json()}
    assert found == {tree.grid_a1_1.code}


def test_household_capture_inside_and_outside_scope(tree, personas):
    client = signed_in(personas.grid_worker_a)
    body = {"grid_code": tree.grid_a1_1.code, "number": "N1", "address": "一号"}
    assert (
        client.post(
            "/api/households", json.dumps(body), content_type="application/json"
        ).status_code
        == 201
    )
    body = {"grid_code": tree.grid_a1_2.code, "number": "N2", "address": "二号"}
    assert (
        client.post(
            "/api/households", json.dumps(body), content_type="application/json"
        ).status_code
        == 404
    )


def test_grid_leader_reads_every_grid_they_lead(tree, personas):
    client = signed_in(personas.grid_leader)
    assert client.get(f"/api/regions/{tree.grid_a1_2.code}").status_code == 200
    assert client.get(f"/api/regions/{tree.village_a1.code}").status_code == 404


def test_locate_does_not_reveal_a_grid_outside_scope(tree, personas):
    client = signed_in(personas.grid_worker_a)
    inside = client.get("/api/locate?lng=100.5&lat=31").json()
    assert inside["grid"]["code"] == tree.grid_a1_1.code
    assert [node["level"] for node in inside["chain"]] == ["district", "township", "village"]
    other = client.get("/api/locate?lng=101.5&lat=31").json()
    assert other["found"] and other["grid"] is None


def test_a_second_district_is_not_visible_to_the_first_districts_staff(tree, personas):
    from pingan.lib.divisions import Level
    from pingan.regions.services import region_create

    other = region_create(
        actor=None, level=Level.DISTRICT, code="630202000000", name="乐都区", parent=None
    )
    client = signed_in(personas.dispatcher)
    assert client.get(f"/api/regions/{other.code}").status_code == 404
    assert client.get(f"/api/regions/{tree.district.code}").status_code == 200


@pytest.mark.parametrize("name", ['<img src=x onerror="fetch(1)">', "网" * 101, "网格\u0000"])
def test_grid_worker_cannot_name_their_grid_with_markup_or_junk(name, tree, personas):
    client = signed_in(personas.grid_worker_a)
    response = patch(client, tree.grid_a1_1.code, {"name": name})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    tree.grid_a1_1.refresh_from_db()
    assert tree.grid_a1_1.name != name
