"""Inspections assigned by the village, done on the phone, and the worker's check
of a handled event."""

import datetime as dt
import json

from django.utils import timezone

from pingan.conftest import signed_in
from pingan.events.models import State
from pingan.events.services import event_transition
from pingan.fieldwork.models import InspectionTask
from pingan.fieldwork.tests.conftest import all_ok, item, sync


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def assign(client, venue, username):
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    body = {"place_id": venue.pk, "assignee": username, "due_on": due, "note": "消防检查"}
    return post(client, "/api/field/inspections", body)


def test_the_village_assigns_an_inspection_and_the_workers_record_completes_it(personas, venue):
    assigned = assign(signed_in(personas.village_officer), venue, "worker_a")
    assert assigned.status_code == 201
    worker = signed_in(personas.grid_worker_a)
    assert [t["place"] for t in worker.get("/api/field/snapshot").json()["inspections"]] == [
        "平安宾馆"
    ]
    body = {
        "kind": "inspection",
        "place_id": venue.pk,
        "note": "按要求完成消防检查",
        "findings": {"checklist": all_ok("venue")},
    }
    (done,) = sync(worker, item("work", body))
    task = InspectionTask.objects.get()
    assert task.done_id == done["result"]["work_id"]
    assert worker.get("/api/field/snapshot").json()["inspections"] == []


def test_inspections_cannot_be_assigned_across_the_boundary(personas, venue, tree):
    assert assign(signed_in(personas.grid_worker_a), venue, "worker_a").status_code == 403
    refused = assign(signed_in(personas.village_officer), venue, "worker_b")
    assert refused.status_code == 422, "worker B does not look after grid A1-1"
    from pingan.accounts.models import Role
    from pingan.conftest import make_user

    outsider = signed_in(make_user("village_b1", Role.VILLAGE_CENTRE, tree.village_b1))
    assert assign(outsider, venue, "worker_a").status_code == 422
    assert InspectionTask.objects.count() == 0


def test_the_inspections_page_assigns_and_lists(personas, venue):
    officer = signed_in(personas.village_officer)
    page = officer.get("/fieldwork/inspections/")
    assert "平安宾馆" in page.content.decode()
    due = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    officer.post(
        "/fieldwork/inspections/",
        {"place": venue.pk, "assignee": personas.grid_worker_a.pk, "due_on": due},
    )
    assert InspectionTask.objects.get().assignee == personas.grid_worker_a


def test_the_grid_worker_verifies_a_handled_event_from_the_phone(personas, reported):
    officer, handler = personas.village_officer, personas.department_handler
    event = event_transition(event=reported, action="accept", actor=officer)
    event = event_transition(
        event=event, action="dispatch", actor=officer, department_id=handler.department_id
    )
    sign = {"event_id": event.pk, "action": "sign", "version": event.version}
    (signed,) = sync(signed_in(handler), item("event_action", sign))
    assert signed["result"]["state"] == State.HANDLING
    handle = {
        "event_id": event.pk,
        "action": "handle",
        "version": signed["result"]["version"],
        "reason": "已清理完毕",
    }
    (handled,) = sync(signed_in(handler), item("event_action", handle))
    verify = {
        "event_id": event.pk,
        "action": "verify_pass",
        "version": handled["result"]["version"],
    }
    (verified,) = sync(signed_in(personas.grid_worker_a), item("event_action", verify))
    assert verified["status"] == 201 and verified["result"]["state"] == State.CLOSED
