"""Work statistics add up, per worker and per area, and stay inside the scope."""

from pingan.conftest import signed_in
from pingan.events.services import event_report
from pingan.events.tests.conftest import IN_B1_1, report_in
from pingan.fieldwork.tests.conftest import item, sync, visit_of


def test_statistics_count_each_kind_per_area_and_per_worker_and_sum_to_the_total(
    personas, residents, tree, departments
):
    worker_a = signed_in(personas.grid_worker_a)
    household = residents[tree.grid_a1_1.code].household
    sync(
        worker_a,
        item("work", visit_of(household)),
        item("work", visit_of(household, note="二次走访")),
        item("work", {"kind": "video", "note": "查看监控", "findings": {"camera": "C-01"}}),
        item("work", {"kind": "general", "note": "协助核酸"}),
        item("event", {"category": "CG01", "description": "井盖缺失"}),
    )
    sync(signed_in(personas.grid_worker_b), item("work", {"kind": "general", "note": "宣传"}))
    event_report(actor=None, channel="public", report=report_in(where=IN_B1_1))

    by_grid = signed_in(personas.dispatcher).get("/api/field/stats?by=grid&period=month").json()
    rows = {row["key"]: row for row in by_grid["rows"]}
    assert rows[tree.grid_a1_1.path]["visit"] == 2
    assert rows[tree.grid_a1_1.path]["video"] == 1
    assert rows[tree.grid_a1_1.path]["events"] == 1
    assert rows[tree.grid_a1_2.path]["general"] == 1
    # A resident's QR report is no grid worker's work (the overview counts it by source).
    assert tree.grid_b1_1.path not in rows
    for measure in by_grid["measures"]:
        assert by_grid["total"][measure] == sum(row[measure] for row in by_grid["rows"])

    by_worker = signed_in(personas.dispatcher).get("/api/field/stats?by=worker").json()
    mine = next(r for r in by_worker["rows"] if r["key"] == personas.grid_worker_a.username)
    assert (mine["visit"], mine["events"], mine["general"]) == (2, 1, 1)
    by_township = signed_in(personas.dispatcher).get("/api/field/stats?by=township").json()
    assert [r["label"] for r in by_township["rows"]] == ["平安街道"]  # 三合镇: a QR report only


def test_a_township_sees_only_its_own_numbers(personas, residents, tree, departments):
    sync(signed_in(personas.grid_worker_a), item("work", {"kind": "general", "note": "宣传"}))
    event_report(actor=None, channel="public", report=report_in(where=IN_B1_1))
    from pingan.accounts.models import Role
    from pingan.conftest import make_user

    township_b = signed_in(make_user("township_b", Role.TOWNSHIP_CENTRE, tree.township_b))
    data = township_b.get("/api/field/stats?by=village").json()
    assert data["total"]["general"] == 0 and data["total"]["events"] == 0  # only a QR report
    assert all(row["key"].startswith(tree.township_b.path) for row in data["rows"])


def test_bad_statistics_requests_get_a_chinese_error(personas):
    client = signed_in(personas.dispatcher)
    assert "未知的统计方式" in client.get("/api/field/stats?by=moon").json()["error"]["message"]
    assert client.get("/api/field/stats?start=2026-13-01&end=x").status_code == 422


def test_a_leaders_key_figures_count_open_overdue_and_people(personas, residents, reported):
    from pingan.events.models import Event

    Event.objects.filter(pk=reported.pk).update(overdue=True)
    figures = signed_in(personas.leader).get("/api/field/figures").json()
    assert figures == {
        "events_open": 1,
        "events_overdue": 1,
        "events_today": 1,
        "people": 3,
        "households": 3,
    }
    outside = signed_in(personas.grid_worker_b).get("/api/field/figures").json()
    assert outside["events_open"] == 0 and outside["people"] == 1
