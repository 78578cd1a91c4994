import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from pingan.accounts.access import OutOfScope
from pingan.accounts.models import GrantKind, Role
from pingan.accounts.services import grant_give
from pingan.audit.models import JournalEntry
from pingan.conftest import fix_check, make_user
from pingan.notices.models import Notice
from pingan.registry import records, selectors
from pingan.registry.codes import PersonStatus
from pingan.registry.crypto import cipher
from pingan.registry.definitions import DefinitionError, definition_create, definition_update
from pingan.registry.models import Definition, Group, MoveKind, Person, Record
from pingan.registry.services import (
    RegistryError,
    house_create,
    person_create,
    person_leave,
    person_move,
    person_update,
    person_viewed,
)

ID_1 = fix_check("63020319900101123")
ID_2 = fix_check("63020320100505124")


def register(personas, tree, id_number=ID_1, **fields):
    return person_create(
        actor=personas.grid_worker_a,
        grid=tree.grid_a1_1,
        name="王小明",
        id_number=id_number,
        **fields,
    )


def sensitive(user):
    grant_give(actor=None, user=user, kind=GrantKind.SENSITIVE, reason="帮扶工作需要")


def test_the_nine_categories_are_built_in_as_data(db):
    groups = set(Definition.objects.filter(builtin=True).values_list("group", flat=True))
    assert groups == {g.value for g in Group if g != Group.LOCAL}
    special = Definition.objects.filter(group=Group.SPECIAL)
    assert special.count() == 5 and all(d.sensitive and d.visit_days for d in special)


def test_a_person_with_the_common_block_and_an_encrypted_phone(tree, personas):
    person = register(
        personas,
        tree,
        phone="13912345678",
        marital_status="20",
        education="30",
        resident_type="floating",
        registered_address="甘肃省兰州市",
    )
    person.refresh_from_db()
    assert person.phone_masked == "139****5678"
    assert "13912345678" not in person.phone_encrypted
    assert cipher().decrypt(person.phone_encrypted) == "13912345678"
    assert person.history.get().kind == MoveKind.REGISTER
    with pytest.raises(RegistryError, match="联系电话"):
        register(personas, tree, id_number=ID_2, phone="12345")
    with pytest.raises(RegistryError, match="婚姻状况"):
        register(personas, tree, id_number=ID_2, marital_status="99")
    with pytest.raises(RegistryError, match="已登记"):
        register(personas, tree)
    assert Person.objects.count() == 1


def test_moving_to_another_grid_keeps_history_and_tells_the_receiving_worker(tree, personas):
    person = register(personas, tree)
    sensitive(personas.grid_worker_a)
    record = records.record_add(
        actor=personas.grid_worker_a,
        definition=Definition.objects.get(code="correction"),
        subject=person,
        values={"kind": "缓刑", "crime": "盗窃", "starts": "2026-01-01", "ends": "2027-01-01"},
        risk_level="medium",
    )
    person_move(actor=personas.grid_worker_a, person=person, to_grid=tree.grid_a1_2, note="换房")
    person.refresh_from_db()
    assert person.grid == tree.grid_a1_2 and person.region_path == tree.grid_a1_2.path
    assert [h.kind for h in person.history.all()] == [MoveKind.REGISTER, MoveKind.MOVE]
    record.refresh_from_db()
    assert record.region_path == tree.grid_a1_2.path  # the record follows the person
    assert Notice.objects.filter(user=personas.grid_worker_b, text__contains="迁入").exists()
    # Now in worker B's grid: worker A may no longer change it.
    with pytest.raises(OutOfScope):
        person_update(actor=personas.grid_worker_a, person=person, occupation="司机")


def test_moving_out_archives_and_never_deletes(tree, personas):
    person = register(personas, tree)
    with pytest.raises(RegistryError, match="填写"):
        person_leave(actor=personas.grid_worker_a, person=person, kind=MoveKind.MOVE_OUT, note="")
    person_leave(
        actor=personas.grid_worker_a, person=person, kind=MoveKind.MOVE_OUT, note="迁往兰州市"
    )
    person.refresh_from_db()
    assert person.status == PersonStatus.MOVED_OUT
    with pytest.raises(RegistryError, match="已归档"):
        person_update(actor=personas.grid_worker_a, person=person, occupation="司机")
    assert JournalEntry.objects.filter(action="person.move_out").exists()


def test_corrections_keep_old_and_new_values(tree, personas):
    person = register(personas, tree, occupation="农民")
    person_update(
        actor=personas.grid_worker_a, person=person, occupation="司机", phone="13800000000"
    )
    change = person.history.get(kind=MoveKind.CORRECT)
    assert change.changes["occupation"] == ["农民", "司机"]
    assert change.changes["phone"][1] == "138****0000"  # never the clear number


def test_x_category_without_code_change_versioned_and_frozen_once_used(tree, personas):
    lonely = definition_create(
        actor=personas.admin,
        code="lonely-elderly",
        name="独居老人",
        subject="person",
        fields=[
            {"key": "helper_phone", "label": "联系人电话", "type": "text"},
            {
                "key": "mobility",
                "label": "行动能力",
                "type": "choice",
                "required": True,
                "choices": [["1", "自理"], ["2", "半自理"], ["3", "不能自理"]],
            },
        ],
        visit_days={"high": 7, "medium": 14, "low": 30},
    )
    person = register(personas, tree)
    with pytest.raises(DefinitionError, match="行动能力：必填"):
        records.record_add(
            actor=personas.grid_worker_a,
            definition=lonely,
            subject=person,
            values={},
            risk_level="low",
        )
    first = records.record_add(
        actor=personas.grid_worker_a,
        definition=lonely,
        subject=person,
        values={"行动能力": "半自理"},  # by label, as a spreadsheet gives it
        risk_level="high",
    )
    assert first.values == {"mobility": "2"} and first.version == 1
    assert first.next_visit_due == dt.date.today() + dt.timedelta(days=7)
    with pytest.raises(DefinitionError, match="类型不能再改"):
        definition_update(
            actor=personas.admin,
            definition=lonely,
            fields=[{"key": "mobility", "label": "行动能力", "type": "integer"}],
        )
    v2 = definition_update(
        actor=personas.admin,
        definition=lonely,
        fields=[*lonely.fields, {"key": "alarm", "label": "安装一键呼叫", "type": "boolean"}],
    )
    assert v2.version == 2 and v2.versions.count() == 2
    first.refresh_from_db()
    assert first.version == 1  # entered under version 1, and says so
    updated = records.record_update(
        actor=personas.grid_worker_a, record=first, values={"mobility": "2", "alarm": "是"}
    )
    assert updated.version == 2 and updated.values["alarm"] is True


def test_values_are_checked_by_type(tree, personas):
    definition = Definition.objects.get(code="floating")
    person = register(personas, tree)
    with pytest.raises(DefinitionError) as refused:
        records.record_add(
            actor=personas.grid_worker_a,
            definition=definition,
            subject=person,
            values={"reason": "旅游", "registered": "2026-13-01", "watch": "也许"},
        )
    message = str(refused.value)
    assert "流入原因" in message and "登记日期" in message and "是否重点关注" in message
    ok = records.record_add(
        actor=personas.grid_worker_a,
        definition=definition,
        subject=person,
        values={"reason": "务工经商", "registered": "2026年3月5日", "watch": "否"},
    )
    assert ok.values == {"reason": "01", "registered": "2026-03-05", "watch": False}


def test_special_groups_need_the_sensitive_grant_to_enter_and_to_see(tree, personas):
    person = register(personas, tree)
    definition = Definition.objects.get(code="drug")
    values = {"found": "2025-06-01", "control": "社区康复"}
    with pytest.raises(PermissionDenied):
        records.record_add(
            actor=personas.grid_worker_a,
            definition=definition,
            subject=person,
            values=values,
            risk_level="high",
        )
    sensitive(personas.grid_worker_a)
    record = records.record_add(
        actor=personas.grid_worker_a,
        definition=definition,
        subject=person,
        values=values,
        risk_level="high",
    )
    assert list(selectors.records_for_user(personas.grid_worker_a)) == [record]
    # The village officer reads the grid but holds no grant: sees nothing of it.
    assert list(selectors.records_for_user(personas.village_officer)) == []
    assert definition not in selectors.definitions_for_user(personas.village_officer)
    # Another township's officer, even with the grant, sees nothing across the boundary.
    other = make_user("township_b", Role.TOWNSHIP_CENTRE, tree.township_b)
    sensitive(other)
    assert list(selectors.records_for_user(other)) == []
    sensitive(personas.dispatcher)
    assert list(selectors.records_for_user(personas.dispatcher)) == [record]


def test_due_and_overdue_visits_reach_the_grid_workers_list(tree, personas):
    sensitive(personas.grid_worker_a)
    person = register(personas, tree)
    record = records.record_add(
        actor=personas.grid_worker_a,
        definition=Definition.objects.get(code="key-youth"),
        subject=person,
        values={"kind": "闲散青少年", "guardian": "王大明"},
        risk_level="high",
        started_on=dt.date.today() - dt.timedelta(days=20),
    )
    assert record.next_visit_due < dt.date.today()  # high risk: every 15 days
    assert selectors.visits_due(personas.grid_worker_a) == [record]
    assert selectors.visits_due(personas.grid_worker_b) == []
    records.visit_add(
        actor=personas.grid_worker_a, record=record, note="入户了解，情况稳定", risk_level="low"
    )
    record.refresh_from_db()
    assert record.next_visit_due == dt.date.today() + dt.timedelta(days=60)
    assert selectors.visits_due(personas.grid_worker_a) == []


def test_a_house_and_who_looked_at_a_person(tree, personas):
    house = house_create(
        actor=personas.grid_worker_a,
        grid=tree.grid_a1_1,
        number="F001",
        address="幸福路1号",
        use="rental",
    )
    person = register(personas, tree, living_as="tenant")
    person.house = house
    person.save()
    assert list(house.occupants.all()) == [person]
    person_viewed(actor=personas.village_officer, person=person)
    person_viewed(actor=personas.dispatcher, person=person)
    assert [e.actor_name for e in selectors.who_looked(person)] == ["dispatcher", "village_a1"]
    with pytest.raises(OutOfScope):
        house_create(actor=personas.grid_worker_a, grid=tree.grid_b1_1, number="F002", address="x")


def test_records_across_the_boundary_are_invisible(tree, personas):
    sensitive(personas.grid_worker_b)
    person = register(personas, tree)
    records.record_add(
        actor=personas.grid_worker_a,
        definition=Definition.objects.get(code="floating"),
        subject=person,
        values={"reason": "务工经商", "registered": "2026-03-05"},
    )
    assert Record.objects.count() == 1
    assert list(selectors.records_for_user(personas.grid_worker_b)) == []


def test_a_registered_dispute_is_resolved_through_the_event_closed_loop(tree, personas):
    from pingan.accounts.models import Department
    from pingan.events.models import Channel, State

    mediators = Department.objects.create(
        code="sfs-a", name="平安司法所", kind="司法所", region=tree.township_a
    )
    person = register(personas, tree)
    record = records.record_add(
        actor=personas.grid_worker_a,
        definition=Definition.objects.get(code="dispute"),
        subject=person,
        values={"title": "宅基地界线争执", "happened": "2026-11-20", "kind": "邻里"},
        risk_level="medium",
    )
    event = record.event
    assert event.category.code == "ZZ01" and event.channel == Channel.SCREENING
    assert event.state == State.REPORTED and event.grid == tree.grid_a1_1
    assert "【邻里】宅基地界线争执" in event.description
    assert event.lead_department == mediators  # by the category's default department
