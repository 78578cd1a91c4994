"""Events, figures and checkpoints across a link, on one database: this platform
plays the district 630203 sending up, or the city 630200 receiving from a district
630202 (a node made here), with the messages signed as that district signs them.
tests/test_federation.py runs the same flows between real installations."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from pingan.accounts.models import Role
from pingan.conftest import make_user
from pingan.events import photos as photos_store
from pingan.events.errors import EventError
from pingan.events.intake import event_report
from pingan.events.mirror import case_view, columns
from pingan.events.models import Event, Level, State
from pingan.events.tests.conftest import report_in
from pingan.events.transitions import event_transition
from pingan.lib.divisions import Level as RegionLevel
from pingan.links import flows, signing
from pingan.links.models import Checkpoint, Figures, Link, LinkedEvent, Message, Side, Unmapped
from pingan.links.services import codes_map, same_categories
from pingan.links.tests.conftest import post
from pingan.regions.services import region_create

pytestmark = pytest.mark.django_db


def act(event, action, actor, **params):
    return event_transition(
        event=Event.objects.get(pk=event.pk),
        action=action,
        actor=actor,
        reason="依规办理",
        **params,
    )


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def at_district(personas, city):
    """A report with a phone and a photo, escalated by each centre up to the city."""
    report = report_in(reporter_name="李四", reporter_phone="13912345678")
    report.photos = photos_store.uploaded(jpeg())
    event = event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report).event
    event = act(event, "accept", personas.village_officer)
    event = act(event, "escalate", personas.village_officer)
    event = act(event, "escalate", personas.township_officer)
    return act(event, "escalate", personas.dispatcher)


def test_escalating_beyond_the_district_hands_the_event_to_the_city(at_district, personas):
    event = at_district
    assert (event.level, event.held_by) == (Level.CITY, "630200")
    sent = Message.objects.get(type="event.escalated")
    body = json.loads(sent.body)
    case = body["data"]["case"]
    assert body["data"]["event"] == {"origin": "630203", "id": event.pk}
    assert sent.subject == f"event/630203/{event.pk}" and sent.seq == 1
    assert [s["action"] for s in case["steps"]] == ["report", "accept", *["escalate"] * 3]
    assert len(case["steps"][0]["photos"]) == 1
    # What the city needs, not what it does not: no name, the phone masked.
    assert "李四" not in sent.body and "13912345678" not in sent.body
    assert case["reporter_phone"] == "139****5678"
    # The district's copy only shows the city's work, and may supervise it.
    with pytest.raises(EventError, match="现由海东市办理"):
        act(event, "dispatch", personas.dispatcher)
    act(event, "supervise", personas.dispatcher, days=3)
    step = Message.objects.get(type="event.step")
    assert step.seq == 2 and json.loads(step.body)["data"]["step"]["action"] == "supervise"


def test_the_districts_page_of_a_case_the_city_holds_says_the_city_acts(
    client, at_district, personas
):
    client.force_login(personas.dispatcher)
    page = client.get(f"/events/{at_district.pk}/")
    assert page.status_code == 200
    assert "<strong>海东市</strong> · 办理（本级可查看、督办）" in page.content.decode()
    listed = client.get("/events/?state=open")
    assert listed.status_code == 200 and "海东市" in listed.content.decode()


def test_without_a_city_the_district_is_the_top(personas):
    event = event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    event = act(event.event, "escalate", personas.village_officer)
    event = act(event, "escalate", personas.township_officer)
    with pytest.raises(EventError, match="未与上级平台联通"):
        act(event, "escalate", personas.dispatcher)


# ---- this platform as the city ----------------------------------------------------


@pytest.fixture
def as_city(settings, tree, personas):
    """This platform is the city; 630202 is a district below it, linked."""
    node = region_create(
        actor=None, level=RegionLevel.DISTRICT, code="630202000000", name="乐都区", parent=None
    )
    link = city_of(settings)
    city = make_user("shizhihui", Role.CITY_CENTRE)
    return link, node, city


def city_of(settings) -> Link:
    """This database plays the city from now on, with 630202 (乐都区) linked below."""
    settings.LINKS_REGION_CODE = "630200"
    return Link.objects.create(
        name="乐都区",
        side=Side.LOWER,
        region_code="630202",
        base_url="http://127.0.0.1:9/",
        keys=[signing.new_secret()],
    )


def escalated_from(link: Link, event: Event, *, seq: int = 1, event_id: int = 9001) -> bytes:
    """The message 乐都区 sends for `event` (made on this database, as a stand-in
    for one of its own)."""
    step = case_view(event)["steps"][-1]
    data = {"event": {"origin": "630202", "id": event_id}, "case": case_view(event), "step": step}
    return _signed("event.escalated", data, f"event/630202/{event_id}", seq)


def _signed(kind: str, data: dict, subject: str, seq: int) -> bytes:
    body: dict[str, object] = {"type": kind, "timestamp": "2026-12-02T08:00:00+08:00"}
    body["from"] = "630202"
    body |= {"subject": subject, "seq": seq, "data": data}
    return json.dumps(body, ensure_ascii=False, default=str).encode()


@pytest.fixture
def district_case(personas):
    report = report_in(reporter_phone="13912345678")
    report.photos = photos_store.uploaded(jpeg())
    event = event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report).event
    return act(event, "accept", personas.village_officer)


def test_an_unmapped_category_is_reported_then_applied_once_mapped(client, as_city, district_case):
    link, node, _ = as_city
    body = escalated_from(link, district_case)
    refused = post(client, link, body)
    assert refused.status_code == 422 and "未建立对照" in refused.json()["message"]
    listed = Unmapped.objects.get(link=link)
    assert (listed.kind, listed.code, listed.direction) == ("category", "CG01", "in")
    codes_map(actor=None, link=link, kind="category", pairs=same_categories())
    assert post(client, link, body).status_code == 200
    assert not Unmapped.objects.exists()


def test_an_escalated_case_becomes_the_citys_and_its_steps_go_back(client, as_city, district_case):
    link, node, city = as_city
    codes_map(actor=None, link=link, kind="category", pairs=same_categories())
    answer = post(client, link, escalated_from(link, district_case))
    assert answer.status_code == 200
    copy = LinkedEvent.objects.get(origin="630202", origin_id=9001).event
    assert (copy.level, copy.held_by, copy.region_path) == (Level.CITY, "", node.path)
    assert copy.state == State.ACCEPTED and copy.reporter_phone == "139****5678"
    assert list(copy.steps.values_list("action", flat=True)) == ["report", "accept"]
    assert copy.photos.count() == 1
    assert copy.steps.first().actor_label.startswith("乐都区：")
    client.force_login(city)
    page = client.get(f"/events/{copy.pk}/")
    assert page.status_code == 200 and "<strong>市综治中心</strong> · 派遣" in page.content.decode()
    assert client.get("/events/?state=open").status_code == 200
    # The city's centre acts on it; each step goes back to the district, in order.
    act(copy, "dispatch", city, department_id=personas_department(copy))
    sent = Message.objects.get(link=link, type="event.step")
    data = json.loads(sent.body)["data"]
    assert data["event"] == {"origin": "630202", "id": 9001}
    assert data["columns"]["state"] == State.DISPATCHED and sent.seq == 1


def personas_department(event: Event) -> int:
    from pingan.accounts.models import Department

    return Department.objects.get(code="cg").pk


def test_a_step_from_the_side_not_holding_only_supervises(client, as_city, district_case):
    link, node, city = as_city
    codes_map(actor=None, link=link, kind="category", pairs=same_categories())
    post(client, link, escalated_from(link, district_case))
    copy = LinkedEvent.objects.get(origin="630202").event
    # The district (not holding it now) supervises, sending its stale columns.
    stale = columns(district_case) | {"state": State.REPORTED, "supervised": True}
    step = {"action": "supervise", "actor": "区综治中心", "note": "抓紧办理"}
    step["at"] = timezone.now().isoformat()
    data = {"event": {"origin": "630202", "id": 9001}, "step": step, "columns": stale}
    assert (
        post(client, link, _signed("event.step", data, "event/630202/9001", 2)).status_code == 200
    )
    copy.refresh_from_db()
    assert copy.supervised and copy.state == State.ACCEPTED
    assert copy.steps.last().note == "抓紧办理"


def test_a_step_for_an_event_never_handed_over_is_refused(client, as_city):
    link, _, _ = as_city
    data = {"event": {"origin": "630202", "id": 5}, "step": {"action": "handle"}, "columns": {}}
    answer = post(client, link, _signed("event.step", data, "event/630202/5", 1))
    assert answer.status_code == 422 and "没有找到该事件" in answer.json()["message"]


# ---- figures and checkpoints ------------------------------------------------------


def test_the_districts_figures_are_what_the_city_stores(client, city, personas, settings):
    event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    assert flows.figures_send(force=True) == 1
    assert flows.figures_send() == 0  # hourly, not every round
    sent = Message.objects.get(type="figures.daily")
    expected = json.loads(sent.body)["data"]
    assert expected["overview"]["reported"] == 1
    # The same bytes received by the city (this database, acting as it).
    lower = city_of(settings)
    body = sent.body.replace('"from":"630203"', '"from":"630202"').encode()
    assert post(client, lower, body).status_code == 200
    assert Figures.objects.get(link=lower).data == expected


def test_a_rewritten_history_shows_at_the_city(client, city, personas, settings):
    from pingan.audit.tests.test_journal import without_triggers

    event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    assert flows.checkpoint_send(force=True) == 1
    first = json.loads(Message.objects.get(type="journal.checkpoint").body)["data"]
    # The row rewritten, its chain mended after it (what the checkpoint must show).
    without_triggers(
        "UPDATE audit_journalentry SET hash = %s WHERE seq = %s", ["f" * 64, first["seq"]]
    )
    event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    assert flows.checkpoint_send(force=True) == 1
    second = json.loads(Message.objects.filter(type="journal.checkpoint").last().body)["data"]
    assert second["before"] == {"seq": first["seq"], "hash": "f" * 64}
    lower = city_of(settings)
    for data in (first, second):
        post(client, lower, _signed("journal.checkpoint", data, "", 0))
    flags = list(Checkpoint.objects.order_by("seq").values_list("conflict", flat=True))
    assert flags == [False, True]


def test_the_citys_own_time_limit_goes_down_with_the_case(client, as_city, district_case):
    import datetime as dt

    link, node, city = as_city
    codes_map(actor=None, link=link, kind="category", pairs=same_categories())
    assert post(client, link, escalated_from(link, district_case)).status_code == 200
    copy = LinkedEvent.objects.get(origin="630202", origin_id=9001).event
    with pytest.raises(EventError, match="交办时限须晚于现在"):
        act(copy, "assign_down", city, due=timezone.now() - dt.timedelta(hours=1))
    due = (timezone.now() + dt.timedelta(days=5)).replace(microsecond=0)
    act(copy, "assign_down", city, due=due)
    step = json.loads(Message.objects.get(link=link, type="event.assigned").body)["data"]["step"]
    assert dt.datetime.fromisoformat(step["data"]["due"]) == due
    client.force_login(city)
    page = client.get(f"/events/{copy.pk}/").content.decode()
    assert f"{timezone.localtime(due):%Y-%m-%d %H:%M}" in page and 'id="assigned-due"' in page
