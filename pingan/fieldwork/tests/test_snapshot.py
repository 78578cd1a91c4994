"""The offline snapshot holds the worker's own grid and nothing else."""

import datetime as dt
import json

from django.utils import timezone

from pingan.conftest import signed_in
from pingan.fieldwork.models import InspectionTask
from pingan.fieldwork.tests.conftest import item, sync, visit_of
from pingan.registry.crypto import cipher


def test_the_snapshot_holds_only_the_workers_own_grid(personas, residents, tree, venue):
    response = signed_in(personas.grid_worker_a).get("/api/field/snapshot")
    assert response.status_code == 200
    data = response.json()
    assert [g["code"] for g in data["grids"]] == [tree.grid_a1_1.code]
    mine = residents[tree.grid_a1_1.code]
    assert [p["id"] for p in data["people"]] == [mine.pk]
    assert [h["id"] for h in data["households"]] == [mine.household_id]
    assert [p["name"] for p in data["places"]] == ["平安宾馆"]
    assert "venue" in data["checklists"] and data["categories"]


def test_the_snapshot_carries_no_full_identity_number(personas, residents, tree):
    text = signed_in(personas.grid_worker_a).get("/api/field/snapshot").content.decode()
    full = cipher().decrypt(residents[tree.grid_a1_1.code].id_number_encrypted)
    assert full not in text and "birth_date" not in text
    assert residents[tree.grid_a1_1.code].id_number_masked in text


def test_a_grid_leader_gets_the_grids_they_lead(personas, residents, tree):
    data = signed_in(personas.grid_leader).get("/api/field/snapshot").json()
    assert sorted(g["code"] for g in data["grids"]) == [tree.grid_a1_1.code, tree.grid_a1_2.code]
    assert tree.grid_b1_1.code not in json.dumps(data)


def test_centre_staff_get_no_offline_copy(personas):
    response = signed_in(personas.township_officer).get("/api/field/snapshot")
    assert response.status_code == 422


def test_a_visit_shows_as_the_households_last_visit_and_tasks_are_listed(
    personas, residents, tree, venue
):
    worker = signed_in(personas.grid_worker_a)
    household = residents[tree.grid_a1_1.code].household
    sync(worker, item("work", visit_of(household)))
    InspectionTask.objects.create(
        place=venue,
        region_path=venue.region_path,
        assignee=personas.grid_worker_a,
        assigned_by=personas.village_officer,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    data = worker.get("/api/field/snapshot").json()
    assert data["households"][0]["last_visit"] == timezone.localdate().isoformat()
    assert [t["place"] for t in data["inspections"]] == ["平安宾馆"]
    other = signed_in(personas.grid_worker_b).get("/api/field/snapshot").json()
    assert other["inspections"] == []


def test_handled_events_wait_for_the_workers_check(personas, reported):
    from pingan.events.services import event_transition

    officer, handler = personas.village_officer, personas.department_handler
    event = event_transition(event=reported, action="accept", actor=officer)
    event = event_transition(
        event=event, action="dispatch", actor=officer, department_id=handler.department_id
    )
    event = event_transition(event=event, action="sign", actor=handler)
    event = event_transition(event=event, action="handle", actor=handler, reason="已清理")
    data = signed_in(personas.grid_worker_a).get("/api/field/snapshot").json()
    assert [e["receipt"] for e in data["verify"]] == [event.receipt]
    assert signed_in(personas.grid_worker_b).get("/api/field/snapshot").json()["verify"] == []
    todo = signed_in(handler).get("/api/field/todo").json()["items"]
    assert todo == [], "handled: no longer on the department's list"
