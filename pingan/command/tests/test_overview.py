"""The overview: the running counts give exactly what counting the events gives,
and a recount finds them equal; each level sees its own subtree."""

import datetime as dt

import time_machine
from django.core.management import call_command

from pingan.command.overview import overview
from pingan.command.tests.conftest import CST
from pingan.conftest import signed_in
from pingan.events import counts
from pingan.events.models import DailyCount, Event

DEC_1 = dt.datetime(2026, 12, 1, 10, tzinfo=CST)


def test_the_running_counts_equal_a_recount_from_the_events(personas, november):
    assert counts.recount(check=True) == []
    for user in [personas.dispatcher, personas.township_officer, november["township_b"]]:
        for period in ["today", "month", "year"]:
            with time_machine.travel(DEC_1, tick=False):
                summed = overview(user, period=period, from_counts=True)
                counted = overview(user, period=period, from_counts=False)
            assert summed == counted, (user.username, period)
    with time_machine.travel(DEC_1, tick=False):
        data = overview(personas.dispatcher, period="year")
    assert data["reported"] == 3
    assert sum(row["value"] for row in data["by_area"]) == 3
    assert sum(row["value"] for row in data["by_state"]) == 3


def test_a_recount_finds_and_mends_counts_that_went_past_the_services(personas, november):
    Event.objects.filter(pk=november["late"].pk).update(state="voided")  # behind their back
    differences = counts.recount(check=True)
    assert len(differences) == 2, "one row too many, one too few"
    counts.recount()
    assert counts.recount(check=True) == []
    assert DailyCount.objects.filter(state="voided").get().count == 1
    call_command("recount", "--check")


def test_each_level_sees_its_own_subtree(personas, tree, november):
    with time_machine.travel(DEC_1, tick=False):
        district = signed_in(personas.dispatcher).get("/api/command/overview?period=year").json()
        township = (
            signed_in(personas.township_officer).get("/api/command/overview?period=year").json()
        )
        grid = signed_in(personas.grid_worker_b).get("/api/command/overview?period=year").json()
    assert district["reported"] == 3 and township["reported"] == 2 and grid["reported"] == 0
    assert [row["name"] for row in township["by_area"]] == [tree.village_a1.name]
    assert district["registry"][0]["name"] == "实有人口"


def test_the_overview_counts_the_catalogue_and_the_areas_applications(personas, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingan.accounts.models import Department
    from pingan.conftest import fix_check
    from pingan.counter import services as counter
    from pingan.counter.models import ItemKind, ServiceItem

    centre = Department.objects.create(code="bm-b", name="三合镇便民服务中心", kind="便民服务",
                                       region=tree.township_b)  # fmt: skip
    for n, online in enumerate([True, True, False]):
        ServiceItem.objects.create(
            code=f"B-{n}", name=f"事项{n}", kind=ItemKind.BENEFIT, department=centre,
            region=tree.township_b, conditions="-", materials=[], time_limit_days=5,
            online=online,
        )  # fmt: skip
    form = counter.ApplicationForm(
        "马海英", "13897201234", fix_check("63020319850308123"), "",
        [SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")],
    )  # fmt: skip
    counter.application_submit(item=ServiceItem.objects.get(code="B-0"), form=form)
    district = overview(personas.dispatcher, period="today")["services"]
    assert district == {"items": 3, "online": 2, "applications": 1, "applications_done": 0,
                        "appointments": 0}  # fmt: skip
    township_a = overview(personas.township_officer, period="today")["services"]
    assert (township_a["items"], township_a["applications"]) == (3, 0)  # not its township's
    page = signed_in(personas.dispatcher).get("/command/?period=today").content.decode()
    assert 'data-figure="service-items">3<' in page and 'data-figure="online-items">2<' in page
