"""The running counts of people and records follow every write path, the services
and bulk inserts alike, and always equal a recount of the rows."""

from pingan.bulk import bulk_insert_values
from pingan.conftest import fix_check
from pingan.registry import counts
from pingan.registry.models import Definition, Person
from pingan.registry.records import record_add, record_end
from pingan.registry.services import person_create, person_leave, person_move, person_values


def test_people_and_records_are_counted_whatever_writes_them(personas, residents, tree):
    assert counts.differences() == []
    assert counts.people(personas.dispatcher) == 3
    admin, grid = personas.admin, tree.grid_a1_1
    newcomer = person_create(
        actor=admin, grid=grid, name="新人", id_number=fix_check("63020319900101123")
    )
    floating = Definition.objects.get(code="floating")
    record = record_add(
        actor=admin,
        definition=floating,
        subject=newcomer,
        values={"reason": "01", "registered": "2026-11-01"},
    )
    assert counts.people(personas.grid_worker_a) == 2
    assert counts.records(personas.grid_worker_a) == [{"name": "流动人口", "value": 1}]
    person_move(actor=admin, person=newcomer, to_grid=tree.grid_a1_2)
    assert counts.people(personas.grid_worker_a) == 1
    assert counts.records(personas.grid_worker_b) == [{"name": "流动人口", "value": 1}]
    record_end(actor=admin, record=Record(record), reason="已离开")
    person_leave(
        actor=admin, person=Person.objects.get(pk=newcomer.pk), kind="move_out", note="迁出"
    )
    assert counts.people(personas.grid_worker_b) == 1
    assert counts.records(personas.grid_worker_b) == []

    imported = [  # as an import writes them: column values, in bulk (COPY on PostgreSQL)
        person_values(grid=grid, name=f"导入{n}", id_number=fix_check(f"63020319850101{n:03d}"))
        for n in range(1, 21)
    ]
    bulk_insert_values(Person, imported)
    assert counts.people(personas.grid_worker_a) == 21
    Person.objects.filter(name__startswith="导入").update(status="dead")
    assert counts.people(personas.grid_worker_a) == 1
    Person.objects.filter(name__startswith="导入").delete()
    assert counts.differences() == []
    assert counts.people(personas.dispatcher) == 3


def Record(record):  # noqa: N802 - the record as the database now has it
    from pingan.registry.models import Record as Model

    return Model.objects.get(pk=record.pk)
