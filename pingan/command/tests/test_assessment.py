"""The assessment through the real lifecycle: figures per township for a month,
each figure opened to the events behind it, and a township that sees only itself."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from pingan.accounts.models import Role
from pingan.command.indicators import INDICATORS
from pingan.conftest import make_user, signed_in
from pingan.events.models import Event
from pingan.events.services import event_rate, event_report, event_transition
from pingan.events.tests.conftest import IN_A1_1, IN_B1_1, report_in

CST = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=9, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CST)


def act(event, action, actor, when, **params):
    with time_machine.travel(when, tick=False):
        return event_transition(
            event=Event.objects.get(pk=event.pk), action=action, actor=actor, **params
        )


def report(actor, where, when):
    channel = "grid_worker" if actor else "public"
    with time_machine.travel(when, tick=False):
        return event_report(actor=actor, channel=channel, report=report_in(where=where)).event


@pytest.fixture
def november(personas, departments, tree):
    village, cg, worker = (
        personas.village_officer,
        personas.department_handler,
        personas.grid_worker_a,
    )
    dept = {"department_id": departments["cg"].pk}
    quick = report(worker, IN_A1_1, at(11, 2))
    act(quick, "accept", village, at(11, 2, 9, 30))
    act(quick, "dispatch", village, at(11, 2, 10), **dept)
    act(quick, "sign", cg, at(11, 2, 11))
    act(quick, "handle", cg, at(11, 3), reason="已清理")
    act(quick, "verify_pass", worker, at(11, 3, 10))
    with time_machine.travel(at(11, 4), tick=False):
        event_rate(event=Event.objects.get(pk=quick.pk), satisfaction=5)

    township_b = make_user("township_b", Role.TOWNSHIP_CENTRE, tree.township_b)
    late = report(None, IN_B1_1, at(11, 2))
    act(late, "accept", township_b, at(11, 6))  # days after its 4 working hours

    across = report(worker, IN_A1_1, at(11, 27))
    act(across, "accept", village, at(11, 27, 9, 30))
    act(across, "dispatch", village, at(11, 27, 10), **dept)
    act(across, "sign", cg, at(11, 27, 11))
    act(across, "handle", cg, at(11, 27, 15), reason="已处理")
    act(across, "verify_fail", worker, at(11, 30), reason="未处理干净")
    act(across, "handle", cg, at(12, 2), reason="已彻底处理")
    act(across, "verify_pass", worker, at(12, 2, 10))
    return {"quick": quick, "late": late, "across": across, "township_b": township_b}


def assessment(client, month, by="township"):
    response = client.get(f"/api/command/assessment?month={month}&by={by}")
    assert response.status_code == 200, response.content
    return response.json()


def figure(data, key, code):
    row = next(r for r in data["rows"] if r["key"] == key)
    return row["figures"][code]["hits"], row["figures"][code]["total"]


def test_the_month_per_township(personas, tree, november):
    data = assessment(signed_in(personas.dispatcher), "2026-11")
    a, b = tree.township_a.path, tree.township_b.path
    assert figure(data, a, "accept_on_time") == (2, 2)
    assert figure(data, b, "accept_on_time") == (0, 1)
    assert figure(data, a, "rework") == (1, 2)
    assert figure(data, a, "closed") == (1, 2), "the one closed in December is due, not closed"
    assert figure(data, a, "satisfied") == (1, 1)
    assert figure(data, a, "reported") == (2, 2)
    ranked = [row["key"] for row in data["rows"]]
    assert ranked.index(a) < ranked.index(b) and data["rows"][0]["rank"] == 1
    december = assessment(signed_in(personas.dispatcher), "2026-12")
    assert figure(december, a, "closed") == (1, 1)


def test_every_figure_opens_to_exactly_the_events_behind_it(personas, tree, november):
    client = signed_in(personas.dispatcher)
    for by in ["township", "grid", "department", "person"]:
        data = assessment(client, "2026-11", by)
        for row in [*data["rows"], data["total"]]:
            for indicator in INDICATORS:
                counted = row["figures"][indicator.code]
                base = (
                    f"/api/command/assessment/events?month=2026-11&by={by}"
                    f"&key={row['key']}&indicator={indicator.code}"
                )
                behind_hits = client.get(base + "&hits=true").json()["items"]
                behind_all = client.get(base).json()["items"]
                assert len(behind_hits) == counted["hit_events"], (by, row["key"], indicator)
                assert len(behind_all) == counted["events"], (by, row["key"], indicator)
                assert counted["hits"] >= counted["hit_events"]


def test_a_township_sees_only_its_own_numbers(personas, tree, november):
    data = assessment(signed_in(personas.township_officer), "2026-11")
    assert [row["key"] for row in data["rows"]] == [tree.township_a.path]
    across = signed_in(personas.township_officer).get(
        "/api/command/assessment/events?month=2026-11&by=township"
        f"&key={tree.township_b.path}&indicator=accept_on_time"
    )
    assert across.json()["items"] == []
    overview = signed_in(personas.township_officer).get("/api/command/overview?period=year").json()
    assert overview["reported"] == 2
    assert [row["name"] for row in overview["by_township"]] == [tree.township_a.name]
    page = signed_in(personas.township_officer).get("/command/assessment/?month=2026-11")
    assert tree.township_b.name not in page.content.decode()


def test_the_district_sets_the_weights_and_others_cannot(personas, november):
    client = signed_in(personas.dispatcher)
    client.post("/command/weights/", {"handle_on_time": "1", "rework": "0"})
    data = assessment(client, "2026-11")
    assert data["total"]["score"] == 100.0, (
        "only 按期处置率 counts now, and every handling was on time"
    )
    refused = signed_in(personas.township_officer).post("/command/weights/", {"closed": "1"})
    assert refused.status_code == 302
    assert assessment(client, "2026-11")["total"]["score"] == 100.0


def test_the_pages_render(personas, november):
    client = signed_in(personas.dispatcher)
    for url in ["/command/?period=year", "/command/screen/", "/command/assessment/?month=2026-11"]:
        response = client.get(url)
        assert response.status_code == 200, url
    text = client.get("/command/assessment/?month=2026-11").content.decode()
    assert "及时受理率" in text and "100.0%" in text
    drill = client.get(
        "/command/assessment/events/?month=2026-11&by=township&indicator=accept_on_time&hits=1"
    )
    assert (
        drill.status_code == 200
        and json.dumps(november["quick"].receipt)[1:-1] in drill.content.decode()
    )
