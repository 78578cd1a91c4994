"""What the overview's figures mean and where they lead: 上报事件 of the grid
workers' work counts their own reports only, the tiles open the events behind
them, a township compares its villages, the map's classes come from the data."""

from django.utils import timezone

from pingan.command.maps import class_breaks
from pingan.command.overview import overview
from pingan.conftest import signed_in
from pingan.events.services import event_report, event_transition
from pingan.events.tests.conftest import report_in


def test_grid_workers_own_reports_are_counted_apart_from_residents(personas, tree, departments):
    event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    for _ in range(2):
        event_report(actor=None, channel="public", report=report_in())
    event_report(actor=personas.dispatcher, channel="hotline", report=report_in())
    for user in (personas.dispatcher, personas.township_officer):
        data = overview(user, period="month")
        assert data["reported"] == 4
        assert data["fieldwork"]["events"] == 1, user.username
        assert data["by_source"] == {"grid_workers": 1, "public": 2, "other": 1}


def test_each_tile_opens_the_events_it_counts(personas, tree, departments):
    first = event_report(actor=personas.grid_worker_a, channel="grid_worker", report=report_in())
    second = event_report(actor=None, channel="public", report=report_in()).event
    event_transition(event=second, action="supervise", actor=personas.dispatcher, reason="督办")
    client = signed_in(personas.dispatcher)
    page = client.get("/command/").content.decode()
    today = timezone.localdate().isoformat()
    links = {
        "reported": f"/events/?state=&since={today[:8]}01&until={today}",
        "supervised": "/events/?state=open&supervised=1",
    }
    for href in links.values():
        assert href in page, href
    listed = client.get(links["reported"]).content.decode()
    assert first.event.receipt in listed and second.receipt in listed
    listed = client.get(links["supervised"]).content.decode()
    assert second.receipt in listed and first.event.receipt not in listed
    closed = client.get("/events/", {"state": "", "closed_since": today}).content.decode()
    assert first.event.receipt not in closed
    bad = client.get("/events/", {"since": "2026-13-40"})
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()


def test_class_breaks_give_zero_its_own_class_and_never_repeat_a_bound():
    assert class_breaks([0, 0, 0, 0, 1]) == [
        {"low": 0, "high": 0, "label": "0"},
        {"low": 1, "high": 1, "label": "1"},
    ]
    breaks = class_breaks([0] * 50 + [1, 1, 2, 3, 5, 8, 13, 21, 34, 55])
    assert [c["label"] for c in breaks] == ["0", "1–2", "3–5", "6–21", "22–55"]
    lows = [c["low"] for c in breaks[1:]]
    highs = [c["high"] for c in breaks[1:]]
    assert lows[0] == 1 and all(lo == hi + 1 for lo, hi in zip(lows[1:], highs, strict=False))
    assert class_breaks([]) == []
    assert class_breaks([7, 7, 7]) == [{"low": 1, "high": 7, "label": "1–7"}]


def test_the_walls_live_layer_is_scoped_newest_first_and_without_personal_data(
    personas, tree, departments
):
    from pingan.events.tests.conftest import IN_B1_1

    mine = event_report(
        actor=None,
        channel="public",
        report=report_in(description="李四家门口", reporter_phone="13900001111"),
    ).event
    event_report(actor=None, channel="public", report=report_in(where=IN_B1_1))
    township = signed_in(personas.township_officer)
    first = township.get("/api/command/live").json()
    assert [item["id"] for item in first["items"]] == [mine.pk] and first["last"] == mine.pk
    assert "李四" not in str(first) and "1390000" not in str(first)
    assert first["items"][0]["place"] == "平安街道村1 平安街道村1第1网格"
    newer = event_report(actor=None, channel="public", report=report_in()).event
    polled = township.get(f"/api/command/live?after={first['last']}").json()
    assert [item["id"] for item in polled["items"]] == [newer.pk]
    assert township.get(f"/api/command/live?after={newer.pk}").json() == {
        "items": [],
        "last": newer.pk,
    }
