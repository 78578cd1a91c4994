import json

from pingan.audit.models import JournalEntry
from pingan.conftest import signed_in


def test_lists_show_masked_identity_numbers(tree, personas, residents):
    items = signed_in(personas.dispatcher).get("/api/people").json()["items"]
    assert items and all("*" in item["id_number"] for item in items)


def test_identity_numbers_are_encrypted_at_rest(residents):
    person = next(iter(residents.values()))
    assert "630203" not in person.id_number_encrypted


def test_reveal_needs_the_grant(tree, personas, residents):
    person = residents[tree.grid_a1_1.code]
    response = signed_in(personas.township_officer).post(
        f"/api/people/{person.pk}/reveal",
        json.dumps({"reason": "核实身份"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.filter(action="person.reveal_id").exists()


def test_reveal_with_grant_and_reason_is_journaled(tree, personas, residents):
    person = residents[tree.grid_a1_1.code]
    response = signed_in(personas.dispatcher).post(
        f"/api/people/{person.pk}/reveal",
        json.dumps({"reason": "核实身份"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["id_number"].startswith("6302031980010")
    entry = JournalEntry.objects.get(action="person.reveal_id")
    assert entry.reason == "核实身份" and entry.actor_name == "dispatcher"


def test_reveal_without_reason_is_refused(tree, personas, residents):
    person = residents[tree.grid_a1_1.code]
    response = signed_in(personas.dispatcher).post(
        f"/api/people/{person.pk}/reveal",
        json.dumps({"reason": " "}),
        content_type="application/json",
    )
    assert response.status_code == 422


def test_reveal_outside_scope_is_not_found(tree, personas, residents):
    person = residents[tree.grid_b1_1.code]
    response = signed_in(personas.grid_worker_a).post(
        f"/api/people/{person.pk}/reveal",
        json.dumps({"reason": "核实身份"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_people_pages_follow_the_cursor_without_gaps_or_repeats(tree, personas, residents):
    client = signed_in(personas.dispatcher)
    seen, after = [], ""
    while True:
        page = client.get("/api/people", {"limit": 1, "after": after}).json()
        seen += [item["id"] for item in page["items"]]
        after = page["next_after"]
        if not after:
            break
    assert sorted(seen) == sorted(p.pk for p in residents.values())
    assert len(seen) == len(set(seen))


def test_a_malformed_cursor_is_a_clear_error(personas):
    response = signed_in(personas.dispatcher).get("/api/people", {"after": "nonsense"})
    assert response.status_code == 422
    assert "after" in response.json()["error"]["message"]
