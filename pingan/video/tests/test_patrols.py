"""视频巡查: a plan of one's own area, a patrol recorded from the camera's page
with a snapshot, a finding as an event at the camera, the counts per camera and
person (and in the fieldwork statistics), and the boundaries: a grid worker
cannot patrol, a camera or person outside the area cannot be planned."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from pingan.events.models import Event
from pingan.events.tests.conftest import IN_A1_1, IN_B1_1
from pingan.fieldwork.models import Kind, WorkRecord
from pingan.fieldwork.stats import fieldwork_stats
from pingan.video import selectors
from pingan.video.patrols import PatrolError, patrol_record, plan_create
from pingan.video.services import camera_create

IPC = "63020300001320000001"
FAR = "63020300001320000009"


@pytest.fixture
def camera(tree, personas):
    return camera_create(actor=None, device_id=IPC, lng=IN_A1_1[0], lat=IN_A1_1[1], name="村口1号")


def snapshot() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (32, 24), "gray").save(data, "PNG")
    data.seek(0)
    data.name = "shot.png"
    return data


def test_a_patrol_from_the_camera_page_with_a_finding_becomes_an_event(client, camera, personas):
    client.force_login(personas.township_officer)
    page = client.get(f"/cameras/{IPC}/").content.decode()
    assert "记录巡查" in page
    done = client.post(
        f"/cameras/{IPC}/patrol/",
        {"seen": "路口车辆通行正常", "finding": "路边有人焚烧垃圾", "category": "HB01",
         "snapshot": snapshot()},
        follow=True,
    )  # fmt: skip
    event = Event.objects.get()
    assert f"回执码 {event.receipt}" in done.content.decode()
    assert event.channel == "video" and event.category.code == "HB01"
    assert (event.lng, event.lat, event.grid_id) == (
        camera.part.lng,
        camera.part.lat,
        camera.part.grid_id,
    )
    record = WorkRecord.objects.get()
    assert record.kind == Kind.VIDEO and record.findings["camera"] == IPC
    assert record.photos.count() == 1 and list(record.events.all()) == [event]
    assert "路口车辆通行正常" in client.get(f"/cameras/{IPC}/").content.decode()


def test_patrols_count_per_camera_and_person_and_in_the_fieldwork_figures(camera, personas):
    for _ in range(3):
        patrol_record(actor=personas.village_officer, camera=camera, seen="正常")
    counts = selectors.patrol_counts(personas.dispatcher, timezone.now() - dt.timedelta(days=1))
    assert counts.by_camera == [(IPC, "村口1号", 3)]
    assert counts.by_person == [("village_a1", 3)] and counts.total == 3 and counts.findings == 0
    today = timezone.localdate()
    rows = fieldwork_stats(personas.dispatcher, start=today, end=today, by="worker")
    assert [r.counts[Kind.VIDEO] for r in rows] == [3]


def test_a_plan_says_which_cameras_are_due(client, camera, personas):
    client.force_login(personas.township_officer)
    made = client.post(
        "/cameras/patrols/",
        {"name": "村口每日巡查", "cameras": IPC, "patrollers": "village_a1", "every_days": 1},
        follow=True,
    )
    assert "已制定视频巡查计划" in made.content.decode()
    (state,) = selectors.plan_states(personas.township_officer, timezone.now())
    assert [c.device_id for c, _last in state.due] == [IPC], "never patrolled: due"
    patrol_record(actor=personas.village_officer, camera=camera, seen="正常")
    (state,) = selectors.plan_states(personas.township_officer, timezone.now())
    assert state.due == []
    later = timezone.now() + dt.timedelta(days=2)
    assert len(selectors.plan_states(personas.township_officer, later)[0].due) == 1


def test_boundaries_of_plans_and_patrols(camera, personas, tree):
    from pingan.accounts.access import OutOfScope

    far = camera_create(actor=None, device_id=FAR, lng=IN_B1_1[0], lat=IN_B1_1[1])
    officer = personas.township_officer
    with pytest.raises(PatrolError, match=FAR):
        plan_create(actor=officer, name="越界", device_ids=[IPC, FAR], patrollers=["village_a1"],
                    every_days=1)  # fmt: skip
    with pytest.raises(PatrolError, match="巡查人员"):
        plan_create(
            actor=officer, name="人", device_ids=[IPC], patrollers=["cg_handler"], every_days=1
        )
    with pytest.raises(OutOfScope):
        patrol_record(actor=personas.department_handler, camera=camera, seen="正常")
    with pytest.raises(OutOfScope):
        patrol_record(actor=personas.grid_worker_b, camera=camera, seen="别人的网格")
    with pytest.raises(OutOfScope):
        patrol_record(actor=officer, camera=far, seen="不在本镇")
    assert not WorkRecord.objects.exists()
    patrol_record(actor=personas.grid_worker_a, camera=camera, seen="本网格的摄像机")
    assert WorkRecord.objects.get().by == personas.grid_worker_a
    client_page = selectors.patrols_of_camera(personas.village_officer, far)
    assert client_page == []
