"""责任查究, 督办单, the command map and the reports, each inside the user's scope."""

import io

import time_machine
from openpyxl import load_workbook

from pingan.command.models import SupervisionNotice
from pingan.command.tests.conftest import at
from pingan.conftest import signed_in
from pingan.events.models import Event


def test_late_steps_and_reworks_are_held_against_the_unit_and_the_person(
    personas, departments, november
):
    client = signed_in(personas.dispatcher)
    page = client.get("/command/accountability/?month=2026-11&by=department").content.decode()
    assert departments["cg"].name in page
    from pingan.command.accountability import failures
    from pingan.command.assessment import month_bounds

    start, end = month_bounds("2026-11")
    (cg,) = failures(personas.dispatcher, start=start, end=end, by="department")
    assert cg.counts["rework"] == 1 and november["across"].pk in cg.event_ids
    people = failures(personas.dispatcher, start=start, end=end, by="person")
    late_acceptor = next(p for p in people if p.label == november["township_b"].label)
    assert late_acceptor.counts["accept_on_time"] == 1
    behind = client.get(
        f"/command/accountability/events/?month=2026-11&by=department&key={cg.key}"
    ).content.decode()
    assert november["across"].receipt in behind
    township = signed_in(personas.township_officer)
    assert not [
        p
        for p in failures(personas.township_officer, start=start, end=end, by="person")
        if p.label == november["township_b"].label
    ], "township A does not see township B's late acceptance"
    assert township.get("/command/accountability/").status_code == 200


def test_a_notice_is_issued_answered_by_the_department_and_closed(personas, reported):
    district = signed_in(personas.dispatcher)
    officer, handler = personas.village_officer, personas.department_handler
    from pingan.events.services import event_transition

    event = event_transition(event=reported, action="accept", actor=officer)
    event_transition(
        event=event, action="dispatch", actor=officer, department_id=handler.department_id
    )
    district.post(
        "/command/notices/",
        {"receipt": reported.receipt.lower(), "requirement": "三日内清理完毕并回复", "days": "3"},
    )
    notice = SupervisionNotice.objects.get()
    assert notice.number.startswith("督〔") and notice.department == handler.department
    assert Event.objects.get(pk=reported.pk).supervised
    early = district.post(f"/command/notices/{notice.pk}/", {"close": "1"}, follow=True)
    assert "回复后才能办结" in early.content.decode()
    outsider = signed_in(personas.grid_worker_b)
    assert outsider.post(f"/command/notices/{notice.pk}/", {"reply": "不相干"}).status_code == 404
    signed_in(handler).post(f"/command/notices/{notice.pk}/", {"reply": "已清理完毕"})
    district.post(f"/command/notices/{notice.pk}/", {"close": "1"})
    notice.refresh_from_db()
    assert notice.reply == "已清理完毕" and notice.closed_at and notice.status == "已办结"


def test_only_the_district_issues_notices(personas, reported):
    signed_in(personas.township_officer).post(
        "/command/notices/", {"receipt": reported.receipt, "requirement": "督办", "days": "3"}
    )
    assert not SupervisionNotice.objects.exists()


def test_the_map_colours_only_the_users_grids(personas, tree, reported):
    from pingan.command.maps import layers

    district = layers(personas.dispatcher, "open")
    values = {
        f["properties"]["code"]: f["properties"]["value"] for f in district["grids"]["features"]
    }
    assert values[tree.grid_a1_1.code] == 1 and values[tree.grid_b1_1.code] == 0
    assert [e["receipt"] for e in district["events"]] == [reported.receipt]
    mine = layers(personas.grid_worker_b, "open")
    assert [f["properties"]["code"] for f in mine["grids"]["features"]] == [tree.grid_a1_2.code]
    assert mine["events"] == [] and mine["heat"] == []
    page = signed_in(personas.dispatcher).get("/command/map/?measure=population")
    assert page.status_code == 200


def test_the_monthly_report_as_a_page_and_a_workbook(personas, november):
    client = signed_in(personas.dispatcher)
    with time_machine.travel(at(11, 30, 18), tick=False):
        page = client.get("/command/report/?period=month").content.decode()
        book = client.get("/command/report/?period=month&format=xlsx")
    assert "社会治理工作月报" in page and "本月考核" in page
    sheets = load_workbook(io.BytesIO(book.content))
    assert sheets.sheetnames == [
        "概况",
        "事件类别",
        "事件来源",
        "乡镇街道",
        "网格员工作",
        "基础数据",
        "本月考核",
    ]
    summary = {row[0]: row[1] for row in sheets["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["上报事件"] == 3
    township = signed_in(personas.township_officer)
    with time_machine.travel(at(11, 30, 18), tick=False):
        own = load_workbook(io.BytesIO(township.get("/command/report/?format=xlsx").content))
    villages = [row[0] for row in own["村社区"].iter_rows(min_row=2, values_only=True)]
    assert villages == ["平安街道村1"]  # a township's report compares its villages
