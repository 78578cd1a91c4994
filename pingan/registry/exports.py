"""Exports that stream, honour the user's scope and mask identity and phone
numbers: what a list shows, as CSV or .xlsx, however many rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied

from pingan.accounts import access
from pingan.accounts.models import GrantKind, User
from pingan.lib import fieldspec
from pingan.regions.models import Region
from pingan.registry import records, selectors
from pingan.registry.codes import PersonStatus
from pingan.registry.columns import PEOPLE, definition_for, headers
from pingan.registry.crypto import cipher
from pingan.registry.models import (
    Definition,
    House,
    Household,
    Organisation,
    Person,
    Place,
    common_block,
)


def export_rows(
    user: User, kind: str, under: Region | None = None, *, reveal: bool = False
) -> Iterator[list[str]]:
    """Header, then one row per person or record in the user's scope, with identity
    and phone numbers masked: an export carries no more than a list shows. With
    reveal=True (the identity grant, and a journaled reason: see the view) the full
    numbers, as an office that must hand a list to the police may need."""
    if reveal and not access.has_grant(user, GrantKind.IDENTITY):
        raise PermissionDenied("没有导出完整身份证号的授权")
    if kind != PEOPLE:
        definition = definition_for(kind)
        records.require_may_see(user, definition)
    numbers = _Numbers(reveal)
    yield headers(kind)
    if kind == PEOPLE:
        yield from _people_rows(user, under, numbers)
    else:
        yield from _record_rows(user, definition, under, numbers)


class _Numbers:
    """Identity and phone numbers as an export shows them."""

    def __init__(self, reveal: bool):
        self.reveal = reveal

    def identity(self, person: Person) -> str:
        if self.reveal:
            return cipher().decrypt(person.id_number_encrypted)
        return person.id_number_masked

    def phone(self, person: Person) -> str:
        if self.reveal and person.phone_encrypted:
            return cipher().decrypt(person.phone_encrypted)
        return person.phone_masked


def _people_rows(user: User, under: Region | None, numbers: _Numbers) -> Iterator[list[str]]:
    people = selectors.people_for_user(user).filter(status=PersonStatus.ACTIVE)
    if under is not None:
        people = people.filter(region_path__startswith=under.path)
    people = people.select_related("grid", "household", "house").defer("grid__boundary")
    for p in people.order_by("region_path", "id").iterator(chunk_size=2000):
        yield [
            p.grid.code,
            p.household.number if p.household else "",
            p.house.number if p.house else "",
            p.name,
            numbers.identity(p),
            p.get_gender_display(),
            numbers.phone(p),
            *(_shown(p, f) for f in COMMON),
        ]


COMMON = common_block()


def _shown(person: Person, field: Any) -> str:
    """A common-block field as the list shows it: a code by its label."""
    if field.choices:
        return getattr(person, f"get_{field.name}_display")()
    return getattr(person, field.name)


def _record_rows(
    user: User, definition: Definition, under: Region | None, numbers: _Numbers
) -> Iterator[list[str]]:
    found = selectors.records_for_user(user).filter(definition=definition, ended_on__isnull=True)
    if under is not None:
        found = found.filter(region_path__startswith=under.path)
    for chunk in _chunks(found.order_by("region_path", "id").iterator(chunk_size=2000), 2000):
        subjects = selectors.subjects_by_id(chunk)
        for record in chunk:
            subject = subjects.get((record.subject, record.subject_id))
            key = numbers.identity(subject) if isinstance(subject, Person) else subject_key(subject)
            yield [
                key,
                record.get_risk_level_display(),
                record.started_on.isoformat(),
                *[fieldspec.display(f, record.values.get(f["key"])) for f in definition.fields],
            ]


def subject_key(subject: object) -> str:
    """What identifies a record's subject in a spreadsheet, masked for people."""
    if isinstance(subject, Person):
        return subject.id_number_masked
    if isinstance(subject, (Household, House)):
        return subject.number
    if isinstance(subject, Organisation):
        return subject.credit_code
    if isinstance(subject, Place):
        return subject.name
    return ""


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
