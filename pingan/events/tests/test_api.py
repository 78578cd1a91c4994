import json
import uuid

from pingan.conftest import signed_in
from pingan.events.models import Event, State
from pingan.events.tests.conftest import IN_A1_1, IN_B1_1


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def body(**extra):
    return {
        "category": "CG01",
        "lng": IN_A1_1[0],
        "lat": IN_A1_1[1],
        "description": "垃圾堆放",
        **extra,
    }


def test_grid_worker_reports_and_a_replay_returns_the_first_result(personas, departments):
    client = signed_in(personas.grid_worker_a)
    key = str(uuid.uuid4())
    first = post(client, "/api/events", body(client_uuid=key))
    assert first.status_code == 201
    again = post(client, "/api/events", body(client_uuid=key))
    assert again.status_code == 200
    assert again.json()["event"]["receipt"] == first.json()["event"]["receipt"]
    changed = post(client, "/api/events", body(client_uuid=key, description="别的事"))
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "conflict"
    assert Event.objects.count() == 1


def test_bad_reports_get_specific_errors_and_store_nothing(personas, departments):
    client = signed_in(personas.grid_worker_a)
    cases = [
        (body(category="XX01"), "未知的事件类别"),
        (body(lng=0, lat=0), "不在本区任何网格内"),
        (body(description="  "), "请描述"),
        (body(channel="hotline"), "不能通过"),
    ]
    for payload, message in cases:
        response = post(client, "/api/events", payload)
        assert response.status_code == 422, payload
        assert message in response.json()["error"]["message"]
    response = post(client, "/api/events", body(lng=IN_B1_1[0], lat=IN_B1_1[1]))
    assert response.status_code == 403
    assert Event.objects.count() == 0


def test_the_queue_is_scoped_and_filtered(personas, departments):
    post(signed_in(personas.grid_worker_a), "/api/events", body())
    dispatcher = signed_in(personas.dispatcher)
    assert len(dispatcher.get("/api/events").json()["items"]) == 1
    assert dispatcher.get("/api/events?state=accepted").json()["items"] == []
    assert len(dispatcher.get("/api/events?category=CG").json()["items"]) == 1
    assert dispatcher.get("/api/events?category=LY").json()["items"] == []
    other = signed_in(personas.grid_worker_b)
    assert other.get("/api/events").json()["items"] == []


def test_two_dispatchers_at_once_one_wins_the_other_gets_a_conflict(personas, departments):
    created = post(signed_in(personas.grid_worker_a), "/api/events", body()).json()["event"]
    url = f"/api/events/{created['id']}/actions/"
    first = post(
        signed_in(personas.village_officer), url + "accept", {"version": created["version"]}
    )
    second = post(
        signed_in(personas.township_officer),
        url + "reject",
        {"version": created["version"], "reason": "重复"},
    )
    assert first.status_code == 200 and second.status_code == 409
    assert Event.objects.get().state == State.ACCEPTED


def test_event_detail_shows_timeline_and_allowed_actions(personas, departments):
    created = post(signed_in(personas.grid_worker_a), "/api/events", body()).json()["event"]
    detail = signed_in(personas.village_officer).get(f"/api/events/{created['id']}").json()
    assert [s["action"] for s in detail["steps"]] == ["report"]
    assert "accept" in detail["actions"] and "sign" not in detail["actions"]
    assert signed_in(personas.grid_worker_b).get(f"/api/events/{created['id']}").status_code == 404


def test_department_handler_sees_dispatched_events(personas, departments):
    created = post(signed_in(personas.grid_worker_a), "/api/events", body()).json()["event"]
    village = signed_in(personas.village_officer)
    url = f"/api/events/{created['id']}/actions/"
    post(village, url + "accept", {})
    post(village, url + "dispatch", {"department_id": departments["cg"].pk})
    handler = signed_in(personas.department_handler)
    assert handler.get(f"/api/events/{created['id']}").status_code == 200
    assert post(handler, url + "sign", {}).json()["state"] == "handling"


def test_bulk_accept_reports_each_result(personas, departments):
    worker = signed_in(personas.grid_worker_a)
    ids = [
        post(worker, "/api/events", body(description=f"第{i}处")).json()["event"]["id"]
        for i in range(3)
    ]
    result = post(
        signed_in(personas.village_officer),
        "/api/events/bulk",
        {"action": "accept", "ids": [*ids, 999999]},
    ).json()
    assert sorted(result["done"]) == sorted(ids) and list(result["failed"]) == ["999999"]


def test_similar_events_while_reporting(personas, departments):
    worker = signed_in(personas.grid_worker_a)
    post(worker, "/api/events", body())
    found = worker.get(
        "/api/events/similar", {"category": "CG01", "lng": IN_A1_1[0], "lat": IN_A1_1[1]}
    ).json()
    assert len(found) == 1
    elsewhere = signed_in(personas.grid_worker_b).get(
        "/api/events/similar", {"category": "CG01", "lng": IN_A1_1[0], "lat": IN_A1_1[1]}
    )
    assert elsewhere.json() == []  # duplicate suggestions respect the read scope


def test_department_handler_sees_only_what_was_dispatched_to_it(personas, departments):
    created = post(signed_in(personas.grid_worker_a), "/api/events", body()).json()["event"]
    handler = signed_in(personas.department_handler)
    assert handler.get(f"/api/events/{created['id']}").status_code == 404
    assert handler.get("/api/events").json()["items"] == []


def test_a_batch_from_an_offline_phone_takes_each_item_on_its_own(personas, departments):
    client = signed_in(personas.grid_worker_a)
    keys = [str(uuid.uuid4()) for _ in range(3)]
    items = [
        body(client_uuid=keys[0]),
        body(client_uuid=keys[1], category="XX01"),
        body(client_uuid=keys[2], description="第三件"),
    ]
    results = post(client, "/api/events/batch", {"items": items}).json()
    assert [r["status"] for r in results] == [201, 422, 201]
    assert "未知的事件类别" in results[1]["error"]["message"]
    again = post(client, "/api/events/batch", {"items": items}).json()  # resent after a timeout
    assert [r["status"] for r in again] == [200, 422, 200]
    assert Event.objects.count() == 2
    too_many = post(client, "/api/events/batch", {"items": [body()] * 101})
    assert too_many.status_code == 422


def test_a_batch_sorts_out_repeats_and_places_outside_the_scope(personas, departments):
    client = signed_in(personas.grid_worker_a)
    key, other = str(uuid.uuid4()), str(uuid.uuid4())
    items = [
        body(client_uuid=key),
        body(client_uuid=key),  # the phone queued the same record twice
        body(client_uuid=other),
        body(client_uuid=other, description="同一编号，另一内容"),
        body(lng=IN_B1_1[0], lat=IN_B1_1[1]),  # another township's grid
    ]
    results = post(client, "/api/events/batch", {"items": items}).json()
    assert [r["status"] for r in results] == [201, 200, 201, 409, 403]
    assert results[1]["result"]["event"]["receipt"] == results[0]["result"]["event"]["receipt"]
    assert Event.objects.count() == 2
    # The two new events see each other as likely duplicates: same place and category.
    assert [e["receipt"] for e in results[2]["result"]["similar"]] == [
        results[0]["result"]["event"]["receipt"]
    ]


def test_a_townships_queue_holds_its_own_events_only(personas, departments, tree):
    from pingan.events.tests.conftest import IN_B1_1

    post(signed_in(personas.grid_worker_a), "/api/events", body())
    post(
        signed_in(personas.dispatcher),
        "/api/events",
        body(channel="hotline", lng=IN_B1_1[0], lat=IN_B1_1[1]),
    )
    township = signed_in(personas.township_officer).get("/api/events").json()["items"]
    assert [e["grid_code"] for e in township] == [tree.grid_a1_1.code]
    assert len(signed_in(personas.dispatcher).get("/api/events").json()["items"]) == 2


def test_a_lone_surrogate_or_an_endless_field_is_refused_not_a_server_error(personas, departments):
    client = signed_in(personas.grid_worker_a)
    # json.dumps escapes the surrogate as \\ud800, as a browser's JSON would.
    for payload in (body(description="井盖\ud800缺失"), body(reporter_name="张" * 5000)):
        response = post(client, "/api/events", payload)
        assert response.status_code == 422, response.content
    batch = post(client, "/api/events/batch", {"items": [body(description="a\ud800"), body()]})
    assert batch.status_code == 200, batch.content
    assert [item["status"] for item in batch.json()] == [422, 201]
    assert Event.objects.count() == 1
