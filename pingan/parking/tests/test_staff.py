"""The staff's pages and acts: who sees plates, a journaled plate search, a read
corrected by a person, a camera placed (and made a 部件), the figures by CDS."""

import datetime as dt

import pytest

from pingan.accounts.models import Role
from pingan.audit.models import JournalEntry
from pingan.conftest import make_user, signed_in
from pingan.parking import manage, metrics, services
from pingan.parking.models import Passage, PlateCamera, Review, Session, SessionState
from pingan.parking.services import passage_record
from pingan.parking.tests.conftest import at, seen
from pingan.things.models import Part

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(tree):
    return make_user("tingche", Role.PARKING, tree.district)


def test_the_cds_figures_of_a_day(lots):
    passage_record(seen(lots.overhead, "青B11111", "in", at(1, 9)))
    passage_record(seen(lots.overhead, "青B11111", "out", at(1, 10, 30)))
    passage_record(seen(lots.overhead, "青B22222", "in", at(1, 9, 30)))
    passage_record(seen(lots.overhead, "青B22222", "out", at(1, 11)))
    passage_record(seen(lots.overhead, "青B33333", "in", at(1, 10)))
    figures = metrics.figures(metrics.by_place([lots.street]), at(1, 0), at(2, 0), now=at(1, 12))[
        "P001"
    ]
    assert figures.sessions == 3 and figures.average_dwell == 90.0
    assert figures.occupancy == round(100 * (90 + 90 + 120) * 60 / (20 * 12 * 3600), 1)
    assert figures.turnover == round(3 / 20 / 0.5, 2)
    assert figures.by_hour[9] == round(100 * (60 + 30) * 60 / (20 * 3600), 1)
    assert figures.peak_hours[0] == 10  # three cars in the 10 o'clock hour
    rows = metrics.aggregates([lots.street], at(1, 9), at(1, 11), now=at(1, 12))
    nine = {r["metric_type"]: r["value"] for r in rows if r["hour"] == "09"}
    assert nine == {
        "total_sessions": 2,
        "turnover": 2,
        "average_dwell_time": 90.0,
        "occupancy_percent": 7.5,
    }


def test_plates_are_for_plate_readers_and_the_rest_see_them_masked(lots, personas, operator):
    passage_record(seen(lots.overhead, "青B12345", "in", at(1, 9)))
    day = "2026-12-01"
    assert (
        "青B12345"
        in signed_in(operator).get(f"/parking/manage/places/P001/?day={day}").content.decode()
    )
    masked = (
        signed_in(personas.township_officer)
        .get(f"/parking/manage/places/P001/?day={day}")
        .content.decode()
    )
    assert "青B12345" not in masked and "青B***45" in masked
    assert signed_in(personas.grid_worker_a).get("/parking/manage/").status_code == 403
    assert signed_in(personas.township_officer).get("/parking/manage/plates/").status_code == 403
    assert signed_in(personas.leader).get("/parking/manage/").status_code == 200


def test_a_plate_search_names_its_reason_and_is_journaled(lots, operator):
    passage_record(seen(lots.overhead, "青B12345", "in", at(1, 9)))
    client = signed_in(operator)
    refused = client.post(
        "/parking/manage/plates/", {"plate": "青B12345", "reason": ""}, follow=True
    )
    assert "查询事由" in refused.content.decode()
    found = client.post("/parking/manage/plates/", {"plate": "青b12345", "reason": "车主投诉"})
    assert "平安大道（一段）" in found.content.decode()
    entry = JournalEntry.objects.get(action="parking.plate_search")
    assert (entry.object_id, entry.reason, entry.actor_id) == ("青B12345", "车主投诉", operator.pk)


def test_a_read_corrected_by_a_person_moves_to_the_right_plate(lots, operator):
    passage_record(seen(lots.overhead, "青B12345", "in", at(1, 9)))
    wrong = passage_record(seen(lots.overhead, "青B12845", "out", at(1, 10), confidence=55)).passage
    assert wrong.review == Review.NEEDED
    assert {s.state for s in Session.objects.all()} == {SessionState.OPEN, SessionState.EXIT_ONLY}
    manage.passage_review(operator, wrong, "青B12345")
    stay = Session.objects.get()
    assert (stay.plate, stay.state, stay.fee_fen) == ("青B12345", SessionState.CLOSED, 300)
    assert Passage.objects.get(pk=wrong.pk).review == Review.CORRECTED
    assert lots.street.__class__.objects.get(pk=lots.street.pk).occupied == 0
    with pytest.raises(services.ParkingError, match="号牌规则"):
        manage.passage_review(operator, wrong, "XX")


def test_an_unknown_camera_placed_by_the_operator_becomes_a_part(lots, operator, client):
    services.camera_unknown("0f823866-d2dc45ab", "192.168.10.30", "民和路高位")
    reply = signed_in(operator).post(
        "/parking/manage/cameras/",
        {"serial": "0f823866-d2dc45ab", "place": "P001", "role": "overhead", "name": ""},
    )
    assert reply.status_code == 302
    camera = PlateCamera.objects.get(serial="0f823866-d2dc45ab")
    assert camera.accepted and camera.place == lots.street and camera.part is not None
    part = Part.objects.get(pk=camera.part.pk)
    assert part.part_class.code == "0601" and part.code[6:10] == "0601" and part.grid is not None


def test_the_report_and_its_workbook(lots, personas):
    passage_record(seen(lots.overhead, "青B11111", "in", at(1, 9)))
    passage_record(seen(lots.overhead, "青B11111", "out", at(1, 10, 30)))
    client = signed_in(personas.dispatcher)
    page = client.get(
        "/parking/manage/report/", {"day": "2026-12-01", "group": "road"}
    ).content.decode()
    assert "平安大道" in page and "合计" in page
    month = client.get(
        "/parking/manage/report/", {"month": "2026-12", "group": "township", "format": "xlsx"}
    )
    assert month.status_code == 200 and month.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(month.content)).active
    assert [c.value for c in sheet[2]][:3] == ["名称", "泊位", "停车次数"]
    assert sheet.cell(3, 3).value == 1


def test_the_map_layer(lots, personas):
    layer = signed_in(personas.dispatcher).get("/api/parking/places").json()
    assert {f["properties"]["code"] for f in layer["features"]} == {"P001", "P101"}
    assert signed_in(personas.grid_worker_a).get("/api/parking/places").status_code == 403


def test_the_cds_endpoints_answer_csv_to_a_key(lots, client):
    from pingan.events.open311 import api_key_create

    api_key_create("city", "cds-secret")
    passage_record(seen(lots.overhead, "青B11111", "in", at(1, 9)))
    passage_record(seen(lots.overhead, "青B11111", "out", at(1, 10, 30)))
    span = {
        "start_time": int(at(1, 9).timestamp() * 1000),
        "end_time": int(at(1, 11).timestamp() * 1000),
    }
    assert client.get("/api/parking/cds/metrics/sessions", span).status_code == 401
    bearer = {"HTTP_AUTHORIZATION": "Bearer cds-secret"}
    sessions = client.get("/api/parking/cds/metrics/sessions", span, **bearer)
    assert sessions["Content-Type"] == "application/vnd.cds+csv;version=1.0"
    lines = sessions.content.decode().splitlines()
    assert lines[0].startswith("session_type,event_session_id") and len(lines) == 2
    assert str(int(at(1, 10, 30).timestamp() * 1000)) in lines[1]
    zone = str(metrics.place_uuid(lots.street))
    aggregates = (
        client.get(
            "/api/parking/cds/metrics/aggregates",
            {**span, "curb_place_id": zone, "metric_type": "occupancy_percent"},
            **bearer,
        )
        .content.decode()
        .splitlines()
    )
    assert aggregates[0] == "curb_place_type,curb_place_id,metric_type,date,hour,value"
    assert aggregates[1:] == [
        f"zone,{zone},occupancy_percent,2026-12-01,09,5.0",
        f"zone,{zone},occupancy_percent,2026-12-01,10,2.5",
    ]
    refused = client.get(
        "/api/parking/cds/metrics/sessions", span, HTTP_ACCEPT="application/json", **bearer
    )
    assert refused.status_code == 406


def test_the_command_centre_shows_parking_and_drills_down(lots, personas):
    from django.urls import reverse

    passage_record(seen(lots.overhead, "青B11111", "in", at(1, 9)))
    page = signed_in(personas.dispatcher).get(reverse("command:overview")).content.decode()
    assert 'data-figure="parking-free"' in page and "21 / 22" in page
    assert "/parking/manage/report/?since=" in page
    village = signed_in(personas.village_officer).get(reverse("command:overview")).content.decode()
    assert 'data-figure="parking-free"' in village  # the test lots are in its village, a1


def test_the_administrator_keeps_places_tariffs_and_permits(lots, personas):
    from pingan.parking.models import Permit

    Permit.objects.create(plate="青B88888", kind=Permit.Kind.PASS, valid_from=dt.date(2026, 12, 1))
    admin = signed_in(personas.admin)
    for page in ("place", "tariff", "permit"):
        assert admin.get(f"/admin/parking/{page}/").status_code == 200
    assert admin.get(f"/admin/parking/tariff/{lots.hourly.pk}/change/").status_code == 200


def test_the_command_map_shows_each_places_free_spaces(lots, personas):
    import json
    import re

    from django.urls import reverse

    passage_record(seen(lots.overhead, "青B11111", "in", at(1, 9)))
    page = signed_in(personas.dispatcher).get(reverse("command:map")).content.decode()
    layers = json.loads(
        re.search(r'id="map-layers" type="application/json">(.*?)</script>', page).group(1)
    )
    free = {p["code"]: (p["free"], p["capacity"]) for p in layers["parking"]}
    assert free == {"P001": (19, 20), "P101": (2, 2)} and 'id="show-parking"' in page
