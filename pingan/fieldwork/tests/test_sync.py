"""The phone's queue arriving at the server: exactly once, in order, each item on
its own, refusals kept out of the ledger so they can be fixed."""

import uuid

from pingan.conftest import signed_in
from pingan.events.models import Event, Photo, State
from pingan.fieldwork.models import Receipt, WorkPhoto, WorkRecord
from pingan.fieldwork.tests.conftest import IN_A1_1, all_ok, item, jpeg_base64, sync, visit_of


def test_a_visit_synced_twice_is_stored_once(personas, residents, tree):
    household = residents[tree.grid_a1_1.code].household
    client = signed_in(personas.grid_worker_a)
    visit = item("work", visit_of(household, photos=[jpeg_base64()]))
    (first,) = sync(client, visit)
    (again,) = sync(client, visit)
    assert first["status"] == 201 and again["status"] == 200 and again["replayed"]
    assert again["result"] == first["result"]
    record = WorkRecord.objects.get()
    assert record.household == household and record.by == personas.grid_worker_a
    assert record.findings == {"needs": "想办低保", "hazards": "电线老化"}
    assert WorkPhoto.objects.filter(record=record).count() == 1


def test_the_same_uuid_with_another_body_is_refused(personas, residents, tree):
    household = residents[tree.grid_a1_1.code].household
    client = signed_in(personas.grid_worker_a)
    key = str(uuid.uuid4())
    sync(client, item("work", visit_of(household), key))
    (other,) = sync(client, item("work", visit_of(household, note="另一次走访"), key))
    assert other["status"] == 409 and other["error"]["code"] == "conflict"
    assert WorkRecord.objects.count() == 1


def test_a_refused_item_keeps_no_receipt_and_can_be_sent_again_fixed(personas, residents, tree):
    household = residents[tree.grid_a1_1.code].household
    client = signed_in(personas.grid_worker_a)
    key = str(uuid.uuid4())
    good = item("work", visit_of(household))
    (refused, taken) = sync(client, item("work", visit_of(household, note=" "), key), good)
    assert refused["status"] == 422 and "请填写工作情况" in refused["error"]["message"]
    assert taken["status"] == 201, "one refusal does not undo the next item"
    assert not Receipt.objects.filter(client_uuid=key).exists()
    (fixed,) = sync(client, item("work", visit_of(household), key))
    assert fixed["status"] == 201
    assert WorkRecord.objects.count() == 2


def test_a_grid_worker_cannot_record_a_visit_to_another_grids_household(personas, residents, tree):
    household_b = residents[tree.grid_a1_2.code].household
    (refused,) = sync(signed_in(personas.grid_worker_a), item("work", visit_of(household_b)))
    assert refused["status"] == 422 and "不在您的网格" in refused["error"]["message"]
    assert WorkRecord.objects.count() == 0


def test_malformed_items_are_refused_with_a_chinese_reason(personas):
    client = signed_in(personas.grid_worker_a)
    results = sync(
        client,
        {"uuid": "not-a-uuid", "kind": "work", "body": {}},
        item("parking", {}),
        item("work", {"note": "缺少类型"}),
        item("work", {"kind": "video", "note": "巡查", "photos": ["!!"]}),
    )
    assert [r["status"] for r in results] == [422, 422, 422, 422]
    assert "未知的记录类型" in results[1]["error"]["message"]
    assert "格式不对" in results[2]["error"]["message"]
    assert "照片数据损坏" in results[3]["error"]["message"]


def test_an_inspection_hazard_becomes_one_event_even_when_replayed(personas, departments, venue):
    client = signed_in(personas.grid_worker_a)
    inspection = item(
        "work",
        {
            "kind": "inspection",
            "place_id": venue.pk,
            "note": "例行排查",
            "findings": {"checklist": all_ok("venue") | {"exits": "problem"}},
            "hazards": [{"category": "CG01", "description": "安全出口堆放杂物"}],
        },
    )
    (first,) = sync(client, inspection)
    (again,) = sync(client, inspection)
    assert first["status"] == 201 and again["status"] == 200
    event = Event.objects.get()
    assert first["result"]["events"] == [event.receipt]
    assert "平安宾馆" in event.description and event.reporter == personas.grid_worker_a
    assert WorkRecord.objects.get().findings["checklist"]["exits"] == "problem"


def test_an_inspection_must_answer_every_checklist_item(personas, venue):
    client = signed_in(personas.grid_worker_a)
    body = {"kind": "inspection", "place_id": venue.pk, "note": "排查", "findings": {}}
    (refused,) = sync(client, item("work", body))
    assert refused["status"] == 422 and "安全出口" in refused["error"]["message"]


def test_a_patrol_keeps_its_track_and_distance(personas):
    track = [[100.5, 31.0, 0], [100.5, 31.01, 60], [100.51, 31.01, 120]]
    (taken,) = sync(
        signed_in(personas.grid_worker_a),
        item("work", {"kind": "patrol", "note": "夜间巡逻", "track": track}),
    )
    assert taken["status"] == 201
    record = WorkRecord.objects.get()
    assert 1900 < record.distance_m < 2200 and record.grid.code.endswith("001")


def test_a_patrol_with_a_broken_track_is_refused(personas):
    client = signed_in(personas.grid_worker_a)
    for track, message in [
        ([[100.5, 31.0]], "至少需要两个"),
        ([[100.5, 31.0], ["东", "北"]], "无效的定位点"),
        ([[100.5, 31.0], [500, 31.0]], "无效的定位点"),
    ]:
        (refused,) = sync(client, item("work", {"kind": "patrol", "note": "巡逻", "track": track}))
        assert refused["status"] == 422 and message in refused["error"]["message"]
    assert WorkRecord.objects.count() == 0


def test_an_event_from_the_phone_with_a_photo_arrives_once(personas, departments):
    client = signed_in(personas.grid_worker_a)
    report = item(
        "event",
        {
            "category": "CG01",
            "description": "路灯不亮",
            "lng": IN_A1_1[0],
            "lat": IN_A1_1[1],
            "photos": [jpeg_base64()],
        },
    )
    sync(client, report)
    (again,) = sync(client, report)
    assert again["status"] == 200
    assert Event.objects.count() == 1 and Photo.objects.count() == 1


def test_an_action_taken_on_a_stale_copy_is_a_conflict(personas, reported):
    handler = signed_in(personas.village_officer)
    stale = reported.version
    (accepted,) = sync(
        handler,
        item("event_action", {"event_id": reported.pk, "action": "accept", "version": stale}),
    )
    assert accepted["status"] == 201 and accepted["result"]["state"] == State.ACCEPTED
    (late,) = sync(
        signed_in(personas.township_officer),
        item("event_action", {"event_id": reported.pk, "action": "accept", "version": stale}),
    )
    assert late["status"] == 409


def test_a_worker_cannot_act_on_an_event_outside_their_scope(personas, reported):
    (refused,) = sync(
        signed_in(personas.grid_worker_b),
        item("event_action", {"event_id": reported.pk, "action": "verify_pass"}),
    )
    assert refused["status"] == 404


def test_six_visits_with_a_phone_photo_each_fit_one_request(personas, residents, tree, settings):
    """The batch the app packs under SYNC_BATCH_BYTES is one the server reads."""
    import base64
    import json

    household = residents[tree.grid_a1_1.code].household
    client = signed_in(personas.grid_worker_a)
    photo = "data:image/jpeg;base64," + base64.b64encode(b"x" * 1_000_000).decode()
    items = [item("work", visit_of(household, photos=[photo])) for _ in range(6)]
    body = json.dumps({"items": items})
    assert len(body) < settings.SYNC_BATCH_BYTES  # as the app packs it
    response = client.post("/api/field/sync", body, content_type="application/json")
    assert response.status_code == 200  # each item answers on its own (the bytes are no JPEG)


def test_an_oversized_batch_gets_a_structured_413_naming_the_limit(personas, settings):
    client = signed_in(personas.grid_worker_a)
    body = '{"items": [], "pad": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = client.post("/api/field/sync", body, content_type="application/json")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and error["max_bytes"] == settings.SYNC_BATCH_BYTES


def test_the_app_is_told_the_servers_limit(personas, settings):
    page = signed_in(personas.grid_worker_a).get("/app/").content.decode()
    assert f'data-sync-bytes="{settings.SYNC_BATCH_BYTES}"' in page


def test_an_inspection_just_outside_the_grid_is_kept_and_flagged(personas, departments, venue):
    # The phone is 1.2 km east, in grid A1-2 which worker_a may not write to.
    client = signed_in(personas.grid_worker_a)
    body = {
        "kind": "inspection",
        "place_id": venue.pk,
        "note": "门口排查",
        "lng": venue.lng + 0.6,
        "lat": venue.lat,
        "findings": {"checklist": all_ok("venue") | {"extinguishers": "problem"}},
        "hazards": [{"category": "ZZ05", "description": "灭火器材齐全有效：存在问题"}],
    }
    (saved,) = sync(client, item("work", body))
    assert saved["status"] == 201, saved
    record = WorkRecord.objects.get()
    assert record.grid == venue.grid and 55_000 < record.findings["away_m"] < 60_000
    event = Event.objects.get()
    assert event.grid == venue.grid and (event.lng, event.lat) == (venue.lng, venue.lat)
    assert event.lead_department is None or event.lead_department.kind == "消防"
    message = saved["result"]["message"]
    assert message.startswith(f"已保存重点场所排查，已上报事件 {event.receipt}")
    assert "网格外约" in message and "请核实是否在现场" in message
    assert "已按场所所在网格记录" in message


def test_every_checklist_item_names_a_category_that_exists(db):
    from pingan.events.models import Category
    from pingan.fieldwork.services import checklists

    codes = set(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    for kind, items in checklists().items():
        for entry in items:
            assert entry["category"] in codes, (kind, entry)
