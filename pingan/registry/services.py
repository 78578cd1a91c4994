"""Writes and sensitive reads of people and households."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pingan.accounts import access
from pingan.accounts.models import GrantKind, User
from pingan.audit.services import journal_write
from pingan.lib import idnumber
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.registry.crypto import cipher
from pingan.registry.models import Household, Person


class RegistryError(ValueError):
    pass


def household_create(
    *,
    actor: User,
    grid: Region,
    number: str,
    address: str,
    village_group: str = "",
    lng: float | None = None,
    lat: float | None = None,
) -> Household:
    if grid.level != Level.GRID:
        raise RegistryError("户必须属于一个网格")
    access.require_scope(actor, grid.path, write=True)
    if Household.objects.filter(number=number).exists():
        raise RegistryError(f"户号 {number} 已存在")
    with transaction.atomic():
        household = Household.objects.create(
            grid=grid,
            region_path=grid.path,
            number=number,
            address=address,
            village_group=village_group,
            lng=lng,
            lat=lat,
        )
        journal_write(
            actor=actor,
            action="household.create",
            object_type="household",
            object_id=household.pk,
            region_path=grid.path,
        )
    return household


def person_build(
    *,
    grid: Region,
    household: Household | None,
    name: str,
    id_number: str,
    ethnicity: str = "",
    relation_to_head: str = "",
    phone: str = "",
) -> Person:
    """An unsaved person with the identity number checked, encrypted and masked."""
    try:
        parsed = idnumber.parse(id_number)
    except idnumber.InvalidIdNumber as exc:
        raise RegistryError(str(exc)) from None
    return Person(
        grid=grid,
        household=household,
        region_path=grid.path,
        name=name,
        gender=parsed.gender,
        birth_date=parsed.birth_date,
        ethnicity=ethnicity,
        relation_to_head=relation_to_head,
        phone=phone,
        id_number_encrypted=cipher().encrypt(parsed.number),
        id_number_hash=cipher().lookup_hash(parsed.number),
        id_number_masked=idnumber.mask(parsed.number),
    )


def person_create(
    *,
    actor: User,
    grid: Region,
    household: Household | None = None,
    name: str,
    id_number: str,
    **fields,
) -> Person:
    access.require_scope(actor, grid.path, write=True)
    person = person_build(grid=grid, household=household, name=name, id_number=id_number, **fields)
    if Person.objects.filter(id_number_hash=person.id_number_hash).exists():
        raise RegistryError("该身份证号已登记")
    with transaction.atomic():
        person.save()
        journal_write(
            actor=actor,
            action="person.create",
            object_type="person",
            object_id=person.pk,
            region_path=grid.path,
        )
    return person


def person_reveal_id(*, actor: User, person: Person, reason: str, ip: str = "") -> str:
    """The full identity number, for a user with the grant, journaled with the reason."""
    access.require_scope(actor, person.region_path)
    if not access.has_grant(actor, GrantKind.IDENTITY):
        raise PermissionDenied("没有查看完整身份证号的授权")
    if len(reason.strip()) < 2:
        raise RegistryError("查看完整身份证号必须填写理由")
    journal_write(
        actor=actor,
        action="person.reveal_id",
        object_type="person",
        object_id=person.pk,
        region_path=person.region_path,
        reason=reason,
        ip=ip,
    )
    return cipher().decrypt(person.id_number_encrypted)


def age(person: Person, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
