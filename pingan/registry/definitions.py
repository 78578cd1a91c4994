"""Category definitions as data: typed fields, required flags and code lists that an
administrator edits without a code change. Every edit is a new version; a field's
type is frozen once a record holds a value for it; each record keeps the version it
was entered under."""

from __future__ import annotations

from django.db import transaction

from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.lib.fieldspec import SpecError, check_fields
from pingan.registry.models import Definition, DefinitionVersion, Record

# The fields themselves (their kinds, reading values, showing them) are
# lib.fieldspec's, whose refusal is the definitions' own: 部件 classes carry fields
# of the same kinds.
DefinitionError = SpecError


def definition_create(
    *,
    actor: User,
    code: str,
    name: str,
    subject: str,
    fields: list[dict],
    sensitive: bool = False,
    visit_days: dict | None = None,
) -> Definition:
    from pingan.registry.models import Group

    if Definition.objects.filter(code=code).exists():
        raise DefinitionError(f"代码 {code} 已被使用")
    if Definition.objects.filter(name=name).exists():
        raise DefinitionError(f"类别「{name}」已存在")
    fields = check_fields(fields)
    with transaction.atomic():
        definition = Definition.objects.create(
            code=code,
            name=name,
            group=Group.LOCAL,
            subject=subject,
            sensitive=sensitive,
            visit_days=visit_days or {},
            fields=fields,
        )
        DefinitionVersion.objects.create(
            definition=definition, version=1, fields=fields, created_by=actor
        )
        journal_write(
            actor=actor,
            action="definition.create",
            object_type="definition",
            object_id=definition.pk,
            data={"code": code, "name": name, "fields": fields},
        )
    return definition


def definition_update(*, actor: User, definition: Definition, fields: list[dict]) -> Definition:
    """A new version of the fields. Fields may be added, relabelled, made optional or
    required and dropped (old values stay with their records); a field's type may
    change only while no record holds a value for it."""
    fields = check_fields(fields)
    old = {f["key"]: f for f in definition.fields}
    for field in fields:
        before = old.get(field["key"])
        if before and before["type"] != field["type"] and _has_values(definition, field["key"]):
            raise DefinitionError(f"字段「{before['label']}」已有数据，类型不能再改")
    with transaction.atomic():
        locked = Definition.objects.select_for_update().get(pk=definition.pk)
        locked.version += 1
        locked.fields = fields
        locked.save(update_fields=["version", "fields"])
        DefinitionVersion.objects.create(
            definition=locked, version=locked.version, fields=fields, created_by=actor
        )
        journal_write(
            actor=actor,
            action="definition.update",
            object_type="definition",
            object_id=locked.pk,
            data={"version": locked.version, "fields": fields},
        )
    return locked


def _has_values(definition: Definition, key: str) -> bool:
    return Record.objects.filter(definition=definition, values__has_key=key).exists()
