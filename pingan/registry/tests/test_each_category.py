"""Every built-in category, generically: a record is created with values of each
field's type, updated, ended, and its history is in the journal."""

import datetime as dt
import json
from pathlib import Path

import pytest

from pingan.accounts.models import GrantKind
from pingan.accounts.services import grant_give
from pingan.audit.models import JournalEntry
from pingan.conftest import fix_check
from pingan.registry import records
from pingan.registry.definitions import DefinitionError
from pingan.registry.models import Definition, Subject
from pingan.registry.services import (
    house_create,
    organisation_create,
    person_create,
    place_create,
)

SAMPLE = {
    "text": "某某",
    "integer": "3",
    "number": "12.5",
    "date": "2026-05-01",
    "boolean": "是",
}


def sample(field, second=False):
    if field["type"] == "choice":
        return field["choices"][1 if second and len(field["choices"]) > 1 else 0][1]
    if second and field["type"] == "text":
        return "另一值"
    return SAMPLE[field["type"]]


def subject_for(definition, tree, personas):
    actor, grid = personas.grid_worker_a, tree.grid_a1_1
    if definition.subject == Subject.PERSON:
        return person_create(
            actor=actor, grid=grid, name="测试", id_number=fix_check("63020319900101123")
        )
    if definition.subject == Subject.HOUSE:
        return house_create(actor=actor, grid=grid, number="F1", address="一号")
    if definition.subject == Subject.HOUSEHOLD:
        from pingan.registry.services import household_create

        return household_create(actor=actor, grid=grid, number="H1", address="一号")
    if definition.subject == Subject.ORGANISATION:
        return organisation_create(
            actor=actor,
            grid=grid,
            kind="enterprise",
            name="测试公司",
            credit_code="91350100M000100Y43",
        )
    return place_create(actor=actor, grid=grid, kind="school", name="测试学校")


DEFINITIONS = Path(__file__).resolve().parent.parent / "data" / "definitions.json"
BUILT_IN = [d["code"] for d in json.loads(DEFINITIONS.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("code", BUILT_IN)
def test_create_update_end_and_history(code, tree, personas, departments_for_disputes):
    definition = Definition.objects.get(code=code)
    actor = personas.grid_worker_a
    grant_give(actor=None, user=actor, kind=GrantKind.SENSITIVE, reason="测试")
    subject = subject_for(definition, tree, personas)
    risk = "medium" if definition.visit_days else ""
    if definition.fields and any(f["required"] for f in definition.fields):
        with pytest.raises(DefinitionError, match="必填"):
            records.record_add(
                actor=actor, definition=definition, subject=subject, values={}, risk_level=risk
            )
    values = {f["key"]: sample(f) for f in definition.fields}
    record = records.record_add(
        actor=actor, definition=definition, subject=subject, values=values, risk_level=risk
    )
    assert set(record.values) == {f["key"] for f in definition.fields}
    if definition.visit_days:
        days = definition.visit_days["medium"]
        assert record.next_visit_due == dt.date.today() + dt.timedelta(days=days)
    changed = {f["key"]: sample(f, second=True) for f in definition.fields}
    records.record_update(actor=actor, record=record, values=changed)
    records.record_end(actor=actor, record=record, reason="测试结束")
    actions = list(
        JournalEntry.objects.filter(object_type="record", object_id=str(record.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["record.add", "record.update", "record.end"]


@pytest.fixture
def departments_for_disputes(tree):
    """矛盾纠纷 opens an event routed to a 司法所."""
    from pingan.accounts.models import Department

    Department.objects.create(code="sfs", name="司法所", kind="司法所", region=tree.township_a)
