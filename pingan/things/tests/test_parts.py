import pytest

from pingan.accounts.access import OutOfScope
from pingan.accounts.models import Department
from pingan.events.models import Channel, Event, State
from pingan.events.services import event_transition
from pingan.events.tests.conftest import IN_A1_1, IN_B1_1
from pingan.lib.errors import DomainError
from pingan.things import codes
from pingan.things.models import Part, PartClass, PartState
from pingan.things.services import PartError, part_create, part_report_damage, part_update


@pytest.fixture
def water(tree, personas):
    """上水井盖, maintained by a water company that is not the category's usual department."""
    company = Department.objects.create(
        code="water", name="平安区供水公司", kind="供水", region=tree.district
    )
    part_class = PartClass.objects.get(code="0101")
    part_class.maintainer = company
    part_class.save()
    return part_class


@pytest.fixture
def cover(water, personas):
    return part_create(
        actor=personas.village_officer, part_class=water, lng=IN_A1_1[0], lat=IN_A1_1[1]
    )


def act(event, action, actor, **params):
    return event_transition(
        event=Event.objects.get(pk=event.pk), action=action, actor=actor, **params
    )


def test_codes_are_county_class_and_serial_and_never_reused(cover, water, tree, personas):
    assert cover.code == "6302030101000001"
    assert cover.grid == tree.grid_a1_1 and cover.region_path == cover.grid.path
    second = part_create(
        actor=personas.village_officer, part_class=water, lng=IN_A1_1[0], lat=IN_A1_1[1]
    )
    assert second.code == "6302030101000002"
    surveyed = part_create(
        actor=personas.village_officer,
        part_class=water,
        lng=IN_A1_1[0],
        lat=IN_A1_1[1],
        code="6302030101000040",
    )
    assert surveyed.code == "6302030101000040"
    assert codes.next_codes("630203", "0101") == ["6302030101000041"]


@pytest.mark.parametrize(
    "code, problem",
    [
        ("630203010100001", "16位"),
        ("6302031001000001", "16位"),  # major class 10 does not exist (01–09)
        ("6302030101000000", "流水号"),
        ("6302030201000001", "类别码"),
        ("6302040101000001", "县级代码"),
    ],
)
def test_a_wrong_code_is_refused_saying_why(water, personas, code, problem):
    with pytest.raises(DomainError, match=problem):
        part_create(
            actor=personas.village_officer,
            part_class=water,
            lng=IN_A1_1[0],
            lat=IN_A1_1[1],
            code=code,
        )


def test_a_part_outside_the_users_area_is_refused(water, personas):
    with pytest.raises(OutOfScope):
        part_create(
            actor=personas.village_officer, part_class=water, lng=IN_B1_1[0], lat=IN_B1_1[1]
        )
    assert not Part.objects.exists()


def test_attributes_are_read_as_the_class_defines_them(water, personas):
    part = part_create(
        actor=personas.village_officer,
        part_class=water,
        lng=IN_A1_1[0],
        lat=IN_A1_1[1],
        attributes={"材质": "铸铁", "shape": "圆"},
    )
    assert part.attributes == {"material": "iron", "shape": "round"}
    with pytest.raises(PartError, match="材质"):
        part_update(actor=personas.village_officer, part=part, attributes={"material": "木头"})


def test_every_change_is_kept_old_and_new(cover, personas):
    part_update(actor=personas.village_officer, part=cover, address="幸福路8号", state="occupied")
    change = cover.changes.first()
    assert change.what == "update" and change.changes["state"] == ["good", "occupied"]
    assert change.changes["address"] == ["", "幸福路8号"]


def test_damage_in_one_tap_goes_to_the_maintainer_and_the_part_follows_the_event(
    cover, water, personas
):
    intake = part_report_damage(actor=personas.grid_worker_a, part=cover, description="井盖碎裂")
    event = intake.event
    cover.refresh_from_db()
    assert cover.state == PartState.DAMAGED
    assert event.channel == Channel.FACILITY and event.source_ref == cover.code
    assert event.lead_department == water.maintainer
    assert (event.lng, event.lat, event.grid_id) == (cover.lng, cover.lat, cover.grid_id)
    assert event.category.code == "CG05" and "上水井盖破损" in event.description
    with pytest.raises(PartError, match="在办"):
        part_report_damage(actor=personas.grid_worker_a, part=cover)
    maintainer = _maintainer_user(water.maintainer)
    event = act(event, "accept", personas.village_officer)
    event = act(event, "dispatch", personas.village_officer)
    event = act(event, "sign", maintainer)
    event = act(event, "handle", maintainer, reason="已更换井盖")
    event = act(event, "verify_pass", personas.grid_worker_a)
    assert event.state == State.CLOSED
    cover.refresh_from_db()
    assert cover.state == PartState.GOOD
    assert [c.what for c in cover.changes.all()][:2] == ["state", "state"]


def test_the_verifier_may_say_the_part_is_otherwise(cover, water, personas):
    event = part_report_damage(actor=personas.grid_worker_a, part=cover, state="lost").event
    maintainer = _maintainer_user(water.maintainer)
    for action, actor in [
        ("accept", personas.village_officer),
        ("dispatch", personas.village_officer),
        ("sign", maintainer),
    ]:
        event = act(event, action, actor)
    event = act(event, "handle", maintainer, reason="井盖已报废，待采购")
    act(event, "verify_pass", personas.grid_worker_a, inputs={"facility": "scrapped"})
    cover.refresh_from_db()
    assert cover.state == PartState.SCRAPPED


def test_a_report_not_accepted_gives_the_part_its_state_back(cover, personas):
    cover.state = PartState.OCCUPIED
    cover.save()
    event = part_report_damage(actor=personas.grid_worker_a, part=cover).event
    act(event, "reject", personas.village_officer, reason="现场查看完好")
    cover.refresh_from_db()
    assert cover.state == PartState.OCCUPIED


def _maintainer_user(department):
    from pingan.accounts.models import Role
    from pingan.conftest import make_user

    return make_user(f"{department.code}_handler", Role.DEPARTMENT, department=department)


def test_the_pages_list_map_and_report_a_part(client, cover, water, personas):
    client.force_login(personas.grid_worker_a)
    listed = client.get("/parts/?state=good").content.decode()
    assert cover.code in listed and "共 1 个" in listed
    assert cover.code not in client.get("/parts/?state=damaged").content.decode()
    layer = client.get("/api/things/parts?part_class=0101").json()
    assert [f["properties"]["code"] for f in layer["features"]] == [cover.code]
    page = client.get(f"/parts/{cover.code}/").content.decode()
    assert "上水井盖" in page and "平安区供水公司" in page
    done = client.post(
        f"/parts/{cover.code}/damage/", {"state": "damaged", "description": "碎裂"}, follow=True
    )
    assert (
        "已上报，回执码" in done.content.decode() and "已转平安区供水公司" in done.content.decode()
    )
    again = client.post(
        f"/api/things/parts/{cover.code}/damage",
        {"state": "damaged"},
        content_type="application/json",
    )
    assert again.status_code == 422 and "在办" in again.json()["error"]["message"]


def test_a_part_of_another_area_is_not_found_on_any_path(client, water, personas):
    other = part_create(actor=None, part_class=water, lng=IN_B1_1[0], lat=IN_B1_1[1])
    client.force_login(personas.grid_worker_a)
    assert client.get(f"/parts/{other.code}/").status_code == 404
    assert client.get(f"/api/things/parts/{other.code}").status_code == 404
    assert client.post(f"/parts/{other.code}/damage/", {}).status_code == 404
    assert client.get("/api/things/parts").json()["features"] == []
    assert other.code not in client.get("/parts/").content.decode()


def test_a_new_part_from_the_page_and_bad_input_in_chinese(client, water, personas):
    client.force_login(personas.village_officer)
    bad = client.post(
        "/parts/new/", {"part_class": "0101", "lng": "东经", "lat": "31"}, follow=True
    )
    assert "经纬度应为数字" in bad.content.decode() and not Part.objects.exists()
    made = client.post(
        "/parts/new/",
        {"part_class": "0112", "lng": IN_A1_1[0], "lat": IN_A1_1[1], "address": "幸福路"},
        follow=True,
    )
    part = Part.objects.get()
    assert part.code == "6302030112000001" and part.address == "幸福路"
    assert "已登记部件" in made.content.decode()


def test_the_figures_count_parts_and_damage_handling(client, cover, personas):
    part_report_damage(actor=personas.grid_worker_a, part=cover)
    client.force_login(personas.township_officer)
    page = client.get("/parts/figures/").content.decode()
    assert "0101 上水井盖" in page and "报损事件" in page


def _sheet(tmp_path, rows, name="parts.csv"):
    import csv

    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(rows)
    return path


HEAD = ["部件编码", "小类代码", "名称", "经度", "纬度", "地址", "养护单位", "状态", "材质"]


def test_an_import_reports_every_bad_row_and_keeps_nothing_unless_asked(tmp_path, water, personas):
    from pingan.things.sheets import import_parts

    lng, lat = IN_A1_1
    rows = [
        HEAD,
        ["", "0101", "", lng, lat, "幸福路1号", "平安区供水公司", "完好", "铸铁"],
        ["", "9999", "", "东经", lat, "", "", "", ""],  # two problems in one row
        ["", "0101", "", lng, lat, "", "没有这个部门", "坏了", ""],
        ["", "0101", "", IN_B1_1[0], IN_B1_1[1], "", "", "", ""],  # outside the user's area
    ]
    outcome = import_parts(actor=personas.village_officer, path=_sheet(tmp_path, rows))
    assert outcome.imported == 0 and not Part.objects.exists()
    assert sorted((e.row, e.column) for e in outcome.errors) == [
        (3, "小类代码"),
        (3, "经度"),
        (4, "养护单位"),
        (4, "状态"),
        (5, "经度"),
    ]
    again = import_parts(
        actor=personas.village_officer, path=_sheet(tmp_path, rows), valid_only=True
    )
    assert again.imported == 1
    part = Part.objects.get()
    assert part.source == "imported" and part.attributes == {"material": "iron"}
    assert part.code == "6302030101000001"


def test_the_template_is_refused_as_it_is_and_exports_read_back(tmp_path, client, cover, personas):
    from pingan.things.sheets import import_parts, template_csv

    template = tmp_path / "t.csv"
    template.write_bytes(template_csv())
    outcome = import_parts(actor=personas.village_officer, path=template)
    assert [e.message for e in outcome.errors] == ["这是模板里的示例行，请删除后再导入"]
    client.force_login(personas.village_officer)
    exported = b"".join(client.get("/parts/export.csv?class=0101").streaming_content).decode(
        "utf-8-sig"
    )
    assert cover.code in exported and exported.startswith("部件编码,小类代码")
    page = client.post("/parts/import/", {"file": _upload(tmp_path)}, follow=True).content.decode()
    assert "只支持 .xlsx 和 .csv 文件" in page


def _upload(tmp_path):
    path = tmp_path / "parts.txt"
    path.write_text("x")
    return open(path, "rb")


def test_the_phone_keeps_its_grids_parts_and_reports_one_offline_once(cover, water, personas, tree):
    from pingan.conftest import signed_in
    from pingan.fieldwork.tests.conftest import item, jpeg_base64, sync

    other = part_create(actor=None, part_class=water, lng=IN_B1_1[0], lat=IN_B1_1[1])
    client = signed_in(personas.grid_worker_a)
    parts = client.get("/api/field/snapshot").json()["parts"]
    assert [p["code"] for p in parts] == [cover.code]
    report = item("part_damage", {"code": cover.code, "state": "lost", "photos": [jpeg_base64()]})
    (first,) = sync(client, report)
    (again,) = sync(client, report)
    assert first["status"] == 201 and again["status"] == 200
    assert (
        "已上报部件报损" in first["result"]["message"]
        and "平安区供水公司" in first["result"]["message"]
    )
    cover.refresh_from_db()
    assert cover.state == PartState.LOST and cover.events.count() == 1
    assert cover.events.get().event.photos.count() == 1
    (elsewhere,) = sync(client, item("part_damage", {"code": other.code}))
    assert elsewhere["status"] == 404


def test_a_region_page_counts_its_parts_and_opens_them_on_the_map(client, cover, tree, personas):
    client.force_login(personas.township_officer)
    page = client.get(f"/regions/{tree.village_a1.code}/")
    assert dict(page.context["figures"])["部件"] == 1
    opened = client.get(f"/parts/in/{tree.village_a1.code}/")
    assert opened.status_code == 302 and "under=" in opened["Location"]
    assert cover.code in client.get(opened["Location"]).content.decode()
    assert client.get(f"/parts/in/{tree.township_b.code}/").status_code == 404
