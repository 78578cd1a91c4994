import pytest

from pingan.events.tests.conftest import IN_A1_1, IN_B1_1
from pingan.registry.codes import PlaceKind
from pingan.registry.models import Place
from pingan.video import selectors
from pingan.video.gbid import DeviceIdError
from pingan.video.services import CameraError, camera_create, camera_status

IPC = "63020300001320000001"


@pytest.fixture
def camera(tree, personas):
    return camera_create(
        actor=personas.village_officer,
        device_id=IPC,
        lng=IN_A1_1[0],
        lat=IN_A1_1[1],
        name="村口1号",
        use="entrance",
        direction=90,
        view_angle=60,
        view_range=100,
    )


def test_a_camera_is_a_part_of_class_0601_in_its_grid(camera, tree):
    assert camera.part.part_class.code == "0601" and camera.part.code.startswith("6302030601")
    assert camera.part.grid == tree.grid_a1_1 and not camera.online


@pytest.mark.parametrize(
    "device_id, problem, error",
    [
        ("6302030000132000001", "20位", DeviceIdError),
        ("63020200001320000001", "不是本区", DeviceIdError),
        ("63020300001180000001", "不是摄像机", CameraError),
    ],
)
def test_a_wrong_device_id_is_refused_saying_why(tree, personas, device_id, problem, error):
    with pytest.raises(error, match=problem):
        camera_create(
            actor=personas.village_officer, device_id=device_id, lng=IN_A1_1[0], lat=IN_A1_1[1]
        )


def test_the_same_device_id_twice_and_a_bad_view_are_refused(camera, personas):
    with pytest.raises(CameraError, match="已登记"):
        camera_create(actor=personas.village_officer, device_id=IPC, lng=IN_A1_1[0], lat=IN_A1_1[1])
    with pytest.raises(CameraError, match="朝向"):
        camera_create(
            actor=personas.village_officer,
            device_id="63020300001320000002",
            lng=IN_A1_1[0],
            lat=IN_A1_1[1],
            direction=400,
        )


def test_the_view_is_a_sector_and_sees_only_inside_it(camera):
    ring = selectors.sector(100.5, 31.0, 90, 60, 100)
    assert ring[0] == ring[-1] == [100.5, 31.0] and len(ring) == 15
    east = 100.5 + 80 / 111_320 / 0.857  # 80 m to the east (cos 31° ≈ 0.857)
    assert selectors._sees(camera, east, 31.0)
    assert not selectors._sees(camera, 100.5 - 80 / 111_320 / 0.857, 31.0), "behind it"
    assert not selectors._sees(camera, 100.5 + 200 / 111_320 / 0.857, 31.0), "beyond its range"


def test_online_changes_are_kept_once_and_coverage_counts_working_cameras(camera, tree, personas):
    school = Place.objects.create(
        grid=tree.grid_a1_1, region_path=tree.grid_a1_1.path, kind=PlaceKind.SCHOOL, name="平安小学"
    )
    before = selectors.coverage(personas.dispatcher)
    assert school in before.schools_without and before.villages_covered == 0
    assert camera_status(camera, True, reason="register") is True
    assert camera_status(camera, True, reason="keepalive") is False
    after = selectors.coverage(personas.dispatcher)
    assert after.villages_covered == 1 and school not in after.schools_without
    assert after.share == 1 / len(after.villages)
    assert [s.online for s in camera.statuses.all()] == [True]


def test_pages_and_layer_stay_inside_the_users_area(client, camera, tree, personas):
    other = camera_create(
        actor=None, device_id="63020300001320000009", lng=IN_B1_1[0], lat=IN_B1_1[1]
    )
    client.force_login(personas.village_officer)
    page = client.get(f"/cameras/{IPC}/").content.decode()
    assert "网络摄像机 IPC" in page and "村口1号" in page
    assert client.get(f"/cameras/{other.device_id}/").status_code == 404
    layer = client.get("/api/video/cameras").json()
    assert {f["properties"]["device_id"] for f in layer["features"]} == {IPC}
    (point,) = layer["features"]
    assert point["geometry"]["type"] == "Point" and point["properties"]["view_range"] > 0
    with_views = client.get("/api/video/cameras?sectors=1").json()["features"]
    assert [f["geometry"]["type"] for f in with_views] == ["Point", "Polygon"]
    bad = client.post(
        f"/cameras/{IPC}/view/",
        {"use": "road", "direction": "东", "view_angle": 60, "view_range": 80},
        follow=True,
    )
    assert "朝向：应为整数" in bad.content.decode()
    assert "乡村两级技防覆盖" in client.get("/cameras/coverage/").content.decode()


def test_the_command_centre_shows_the_villages_with_a_working_camera(client, camera, personas):
    from pingan.command.overview import overview

    assert overview(personas.dispatcher)["video"]["covered"] == 0
    camera_status(camera, True, reason="register")
    figure = overview(personas.dispatcher)["video"]
    assert figure["covered"] == 1 and figure["percent"] == round(100 / figure["villages"])
    client.force_login(personas.dispatcher)
    assert 'data-figure="tech-coverage"' in client.get("/command/").content.decode()


def test_silence_makes_a_camera_offline_and_a_long_outage_one_maintenance_event(
    camera, personas, settings
):
    import datetime as dt

    from django.utils import timezone

    from pingan.notices.models import Notice
    from pingan.video import health

    settings.CAMERA_KEEPALIVE_SECONDS, settings.CAMERA_OFFLINE_HOURS = 60, 24
    start = timezone.now()
    camera_status(camera, True, reason="register", at=start)
    assert health.sweep(start + dt.timedelta(seconds=170)) == ""  # two intervals: still online
    assert "摄像机离线 1" in health.sweep(start + dt.timedelta(seconds=181))
    camera.refresh_from_db()
    assert not camera.online and camera.statuses.first().reason == "连续3次未收到心跳"
    assert health.sweep(start + dt.timedelta(hours=23)) == ""
    assert "维护事件 1" in health.sweep(start + dt.timedelta(hours=25))
    assert health.sweep(start + dt.timedelta(hours=26)) == "", "once per outage"
    outage = camera.outages.get()
    event = outage.event
    assert event.channel == "facility" and camera.device_id in event.description
    assert event.lead_department is not None  # the class has no keeper here: by category
    camera_status(camera, True, reason="keepalive", at=start + dt.timedelta(hours=27))
    outage.refresh_from_db()
    assert outage.ended_at is not None
    assert Notice.objects.filter(text__contains="已自动办结").exists()
    event.refresh_from_db()
    camera.part.refresh_from_db()
    assert event.state == "closed" and event.steps.last().action == "restored"
    assert camera.part.state == "good", "the part follows its closed repair"


def test_only_the_system_closes_a_repair_as_restored(camera, personas):
    from pingan.accounts.access import OutOfScope
    from pingan.events.lifecycle import available
    from pingan.events.transitions import event_transition
    from pingan.things.services import part_report_damage

    event = part_report_damage(actor=None, part=camera.part, description="离线").event
    assert "restored" not in [t.action for t in available(event)]
    with pytest.raises(OutOfScope):
        event_transition(event=event, action="restored", actor=personas.dispatcher, reason="人工")


def test_the_worker_runs_the_camera_round(camera):
    from pingan.jobs.rounds import ROUNDS

    assert "video.health" in ROUNDS


def test_an_events_page_lists_the_cameras_that_see_its_place(client, camera, personas):
    from pingan.events.services import event_report
    from pingan.events.tests.conftest import report_in

    east = (IN_A1_1[0] + 50 / 111_320 / 0.857, IN_A1_1[1])
    seen = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in(where=east)
    ).event
    behind = (IN_A1_1[0] - 50 / 111_320 / 0.857, IN_A1_1[1])
    unseen = event_report(
        actor=personas.grid_worker_a, channel="grid_worker", report=report_in(where=behind)
    ).event
    client.force_login(personas.village_officer)
    assert "覆盖此处的摄像机" in (page := client.get(f"/events/{seen.pk}/").content.decode())
    assert f"/cameras/{IPC}/" in page
    assert f"/cameras/{IPC}/" not in client.get(f"/events/{unseen.pk}/").content.decode()
