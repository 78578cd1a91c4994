"""Registry changes from the phone: the web's checks, conflicts flagged instead
of overwritten, and the village officer's approval where the village asks for it."""

import json

from pingan.conftest import fix_check, signed_in
from pingan.fieldwork.models import Change, ChangeStatus, FieldPolicy
from pingan.fieldwork.tests.conftest import item, sync
from pingan.registry.models import Household, Person, PersonHistory


def update(person, base: dict, **changes) -> dict:
    return {"kind": "person_update", "target_id": person.pk, "payload": changes, "base": base}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_correction_from_the_phone_goes_into_the_registry_with_its_history(
    personas, residents, tree
):
    person = residents[tree.grid_a1_1.code]
    (taken,) = sync(
        signed_in(personas.grid_worker_a),
        item("change", update(person, {"occupation": ""}, occupation="农民")),
    )
    assert taken["status"] == 201 and taken["result"]["status"] == ChangeStatus.APPLIED
    person.refresh_from_db()
    assert person.occupation == "农民"
    assert PersonHistory.objects.filter(person=person, kind="correct").exists()


def test_a_server_copy_changed_meanwhile_is_a_conflict_and_nothing_is_overwritten(
    personas, residents, tree
):
    person = residents[tree.grid_a1_1.code]
    seen = {"occupation": person.occupation}
    # The village officer corrects the record while the worker is offline.
    sync(
        signed_in(personas.village_officer), item("change", update(person, seen, occupation="教师"))
    )
    (stale,) = sync(
        signed_in(personas.grid_worker_a), item("change", update(person, seen, occupation="农民"))
    )
    assert stale["result"]["status"] == ChangeStatus.CONFLICT
    assert stale["result"]["server"] == {"occupation": "教师"}
    person.refresh_from_db()
    assert person.occupation == "教师"


def test_the_worker_resolves_a_conflict_by_keeping_theirs_or_dropping_it(personas, residents, tree):
    person = residents[tree.grid_a1_1.code]
    person.occupation = "教师"
    person.save()
    worker = signed_in(personas.grid_worker_a)
    first, second = sync(
        worker,
        item("change", update(person, {"occupation": ""}, occupation="农民")),
        item("change", update(person, {"occupation": ""}, occupation="司机")),
    )
    dropped = post(
        worker, f"/api/field/changes/{second['result']['change_id']}/resolve", {"keep_mine": False}
    )
    assert dropped.json()["status"] == ChangeStatus.DISCARDED
    kept = post(
        worker, f"/api/field/changes/{first['result']['change_id']}/resolve", {"keep_mine": True}
    )
    assert kept.json()["status"] == ChangeStatus.APPLIED
    person.refresh_from_db()
    assert person.occupation == "农民"
    other = signed_in(personas.grid_worker_b)
    refused = post(
        other, f"/api/field/changes/{first['result']['change_id']}/resolve", {"keep_mine": True}
    )
    assert refused.status_code == 404


def test_a_new_person_with_a_bad_identity_number_is_refused_like_on_the_web(
    personas, residents, tree
):
    household = residents[tree.grid_a1_1.code].household
    body = {
        "kind": "person_create",
        "payload": {
            "household_id": household.pk,
            "name": "新生",
            "id_number": "630203201001011234",
        },
    }
    (refused,) = sync(signed_in(personas.grid_worker_a), item("change", body))
    assert refused["status"] == 422 and "校验" in refused["error"]["message"]
    assert Change.objects.count() == 0


def test_where_the_village_asks_a_workers_change_waits_for_the_village_officer(
    personas, residents, tree
):
    FieldPolicy.objects.create(village=tree.village_a1, approve_changes=True)
    household = residents[tree.grid_a1_1.code].household
    number = fix_check("63020320100101123")
    body = {
        "kind": "person_create",
        "payload": {"household_id": household.pk, "name": "新生", "id_number": number},
    }
    (held,) = sync(signed_in(personas.grid_worker_a), item("change", body))
    assert held["result"]["status"] == ChangeStatus.PENDING
    assert not Person.objects.filter(name="新生").exists()
    change_id = held["result"]["change_id"]
    township = signed_in(personas.township_officer)
    listed = township.get("/api/field/changes").json()["items"]
    assert [c["id"] for c in listed] == [change_id]
    assert "id_number" not in listed[0]["payload"], "lists never carry the full number"
    officer = signed_in(personas.village_officer)
    refused = post(officer, f"/api/field/changes/{change_id}/review", {"approve": False})
    assert refused.status_code == 422 and "理由" in refused.json()["error"]["message"]
    approved = post(officer, f"/api/field/changes/{change_id}/review", {"approve": True})
    assert approved.json()["status"] == ChangeStatus.APPLIED
    assert Person.objects.get(name="新生").household == household


def test_a_grid_worker_cannot_approve_and_another_village_cannot_see_the_change(
    personas, residents, tree
):
    FieldPolicy.objects.create(village=tree.village_a1, approve_changes=True)
    person = residents[tree.grid_a1_1.code]
    (held,) = sync(
        signed_in(personas.grid_worker_a),
        item("change", update(person, {"occupation": ""}, occupation="农民")),
    )
    change_id = held["result"]["change_id"]
    worker = post(
        signed_in(personas.grid_worker_a),
        f"/api/field/changes/{change_id}/review",
        {"approve": True},
    )
    assert worker.status_code == 403
    from pingan.accounts.models import Role
    from pingan.conftest import make_user

    other_village = make_user("village_b1", Role.VILLAGE_CENTRE, tree.village_b1)
    assert signed_in(other_village).get("/api/field/changes").json()["items"] == []
    across = post(
        signed_in(other_village), f"/api/field/changes/{change_id}/review", {"approve": True}
    )
    assert across.status_code == 404
    person.refresh_from_db()
    assert person.occupation == ""


def test_a_household_created_offline_and_corrected(personas, tree):
    worker = signed_in(personas.grid_worker_a)
    (created,) = sync(
        worker,
        item(
            "change",
            {"kind": "household_create", "payload": {"number": "H-NEW", "address": "新村1号"}},
        ),
    )
    household = Household.objects.get(number="H-NEW")
    assert created["result"]["result_id"] == household.pk and household.grid == tree.grid_a1_1
    body = {
        "kind": "household_update",
        "target_id": household.pk,
        "payload": {"address": "新村2号"},
        "base": {"address": "新村1号"},
    }
    sync(worker, item("change", body))
    household.refresh_from_db()
    assert household.address == "新村2号"


def test_a_house_and_a_category_membership_from_the_phone(personas, residents, tree):
    from pingan.registry.models import House, Record

    household = residents[tree.grid_a1_1.code].household
    person = residents[tree.grid_a1_1.code]
    worker = signed_in(personas.grid_worker_a)
    house = {
        "kind": "house_create",
        "payload": {
            "household_id": household.pk,
            "number": "F-1",
            "address": "新村1号",
            "use": "home",
        },
    }
    floating = {
        "kind": "record_add",
        "payload": {
            "definition": "floating",
            "subject_id": person.pk,
            "values": {"reason": "01", "registered": "2026-11-30"},
        },
    }
    missing = {
        "kind": "record_add",
        "payload": {"definition": "floating", "subject_id": person.pk, "values": {}},
    }
    made, refused, entered = sync(
        worker, item("change", house), item("change", missing), item("change", floating)
    )
    assert made["status"] == 201 and House.objects.get(number="F-1").grid == tree.grid_a1_1
    assert refused["status"] == 422 and "必填" in refused["error"]["message"]
    assert entered["status"] == 201
    record = Record.objects.get(definition__code="floating", subject_id=person.pk)
    assert record.values == {"reason": "01", "registered": "2026-11-30"}
    snapshot = worker.get("/api/field/snapshot").json()
    assert any(d["code"] == "floating" for d in snapshot["definitions"])
    assert snapshot["house_uses"]
