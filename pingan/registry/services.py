"""Writes and sensitive reads of people and households."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet, TextChoices
from django.urls import reverse
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import GrantKind, User
from pingan.accounts.selectors import grid_staff
from pingan.audit.services import journal_write
from pingan.lib import creditcode, idnumber
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.text import clean_phone, mask_phone  # noqa: F401 - migration 0002 imports it here
from pingan.notices.services import notify
from pingan.regions.models import Region
from pingan.registry.codes import (
    HouseUse,
    OrganisationKind,
    PersonStatus,
    PlaceKind,
)
from pingan.registry.crypto import cipher
from pingan.registry.models import (
    COMMON_BLOCK,
    House,
    Household,
    MoveKind,
    Organisation,
    Person,
    PersonHistory,
    Place,
    Record,
    Subject,
    common_block,
)


class RegistryError(DomainError):
    pass


ELSEWHERE = "该号码已在您辖区以外登记，不能在此重复登记；如需迁入，请联系上级综治中心办理"


def _refuse_taken(actor: User, same: QuerySet, here: str) -> None:
    """A number must be unique in the whole district, so a taken one is refused;
    but what holds it outside the actor's scope is not named (not its grid, not
    whether it is a person or a household of theirs), and the attempt is journaled."""
    holder = same.values_list("region_path", flat=True).first()
    if holder is None:
        return
    if access.in_scope(actor, holder):
        raise RegistryError(here)
    journal_write(
        actor=actor,
        action="registry.duplicate_elsewhere",
        object_type=same.model._meta.model_name or "",
        object_id="",
        region_path=actor.region.path if actor.region_id else "",  # type: ignore[union-attr]
    )
    raise RegistryError(ELSEWHERE)


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
    _refuse_taken(actor, Household.objects.filter(number=number), f"户号 {number} 已存在")
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
        _journal_created(actor, household, "household")
    return household


HOUSEHOLD_FIELDS = ["address", "village_group", "lng", "lat"]


def household_update(*, actor: User, household: Household, **changes: str) -> Household:
    """A household's address or location corrected; journaled with the fields."""
    access.require_scope(actor, household.region_path, write=True)
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise RegistryError(f"不能在此修改：{', '.join(sorted(unknown))}")
    if "address" in changes and not str(changes["address"]).strip():
        raise RegistryError("地址必填")
    changed = sorted(key for key, value in changes.items() if getattr(household, key) != value)
    if not changed:
        return household
    for key in changed:
        setattr(household, key, changes[key])
    with transaction.atomic():
        household.save(update_fields=changed)
        journal_write(
            actor=actor,
            action="household.update",
            object_type="household",
            object_id=household.pk,
            region_path=household.region_path,
            data={"fields": changed},
        )
    return household


PERSON_FIELDS = COMMON_BLOCK


def phone_fields(phone: str) -> dict[str, str]:
    """A phone number encrypted, hashed for exact lookup and masked for lists."""
    phone = phone.strip().replace(" ", "")
    if not phone:
        return {"phone_encrypted": "", "phone_hash": "", "phone_masked": ""}
    if clean_phone(phone) is None:
        raise RegistryError(f"联系电话「{phone}」格式不对（手机11位，或区号-号码）")
    return {
        "phone_encrypted": cipher().encrypt(phone),
        "phone_hash": cipher().lookup_hash(phone),
        "phone_masked": mask_phone(phone),
    }


def person_build(
    *,
    grid: Region,
    household: Household | None,
    name: str,
    id_number: str,
    phone: str = "",
    house: House | None = None,
    **fields: str,
) -> Person:
    """An unsaved person with the identity number checked, encrypted and masked,
    and the phone number likewise."""
    values = person_values(grid=grid, name=name, id_number=id_number, phone=phone, **fields)
    del values["grid_id"]
    return Person(grid=grid, household=household, house=house, **values)


def person_values(
    *, grid: Region, name: str, id_number: str, phone: str = "", **fields: str
) -> dict[str, Any]:
    """A person's column values, checked: what person_build makes a Person of, and
    what an import inserts directly (a model instance costs more than the rest)."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise RegistryError(f"未知的人员字段：{', '.join(sorted(unknown))}")
    if not name.strip():
        raise RegistryError("姓名必填")
    try:
        parsed = idnumber.parse(id_number)
    except idnumber.InvalidIdNumber as exc:
        raise RegistryError(str(exc)) from None
    values: dict[str, Any] = {
        "grid_id": grid.pk,
        "region_path": grid.path,
        "name": name.strip(),
        "gender": parsed.gender,
        "birth_date": parsed.birth_date,
        "id_number_encrypted": cipher().encrypt(parsed.number),
        "id_number_hash": cipher().lookup_hash(parsed.number),
        "id_number_masked": idnumber.mask(parsed.number),
        **phone_fields(phone),
    }
    for key, value in fields.items():
        values[key] = value.strip() if isinstance(value, str) else value
    _check_codes(values)
    return values


# Each coded field of the common block: its label and the codes it accepts.
CODED = {
    str(f.name): (str(f.verbose_name), frozenset(code for code, _ in f.choices))
    for f in common_block()
    if f.choices
}


def _check_codes(person: Person | dict[str, Any]) -> None:
    for name, (label, allowed) in CODED.items():
        value = person.get(name) if isinstance(person, dict) else getattr(person, name)
        if value and value not in allowed:
            raise RegistryError(f"{label}「{value}」不在代码表中")


def person_create(
    *,
    actor: User,
    grid: Region,
    household: Household | None = None,
    name: str,
    id_number: str,
    note: str = "",
    **fields: Any,
) -> Person:
    """入住登记: a person enters the registry at a grid (and a house, a household)."""
    if grid.level != Level.GRID:
        raise RegistryError("人员必须登记到一个网格")
    access.require_scope(actor, grid.path, write=True)
    person = person_build(grid=grid, household=household, name=name, id_number=id_number, **fields)
    _refuse_taken(
        actor,
        Person.objects.filter(id_number_hash=person.id_number_hash),
        "该身份证号已登记（迁入的人员请用「迁移」办理）",
    )
    with transaction.atomic():
        person.save()
        _history(person, MoveKind.REGISTER, actor, to_grid=grid, note=note)
        journal_write(
            actor=actor,
            action="person.create",
            object_type="person",
            object_id=person.pk,
            region_path=grid.path,
        )
    return person


def _history(person: Person, kind: str, actor: User | None, **details: Any) -> PersonHistory:
    return PersonHistory.objects.create(
        person=person, kind=kind, actor=actor, at=timezone.now(), **details
    )


def _require_active(person: Person) -> None:
    if person.status != PersonStatus.ACTIVE:
        raise RegistryError(f"该人员{person.get_status_display()}，档案已归档，不能再办理")


def person_update(
    *, actor: User, person: Person, phone: str | None = None, **changes: str
) -> Person:
    """信息更正: the changed fields are kept in the person's history, old and new."""
    access.require_scope(actor, person.region_path, write=True)
    _require_active(person)
    unknown = set(changes) - set(PERSON_FIELDS) - {"name"}
    if unknown:
        raise RegistryError(f"不能在此修改：{', '.join(sorted(unknown))}")
    diff = {
        key: [getattr(person, key), value]
        for key, value in changes.items()
        if getattr(person, key) != value
    }
    for key, (_, value) in diff.items():
        setattr(person, key, value)
    if phone is not None and phone_fields(phone)["phone_hash"] != person.phone_hash:
        for key, value in phone_fields(phone).items():
            setattr(person, key, value)
        diff["phone"] = ["（已加密）", person.phone_masked]
    _check_codes(person)
    if not diff:
        return person
    with transaction.atomic():
        person.save()
        _history(person, MoveKind.CORRECT, actor, changes=diff)
        journal_write(
            actor=actor,
            action="person.update",
            object_type="person",
            object_id=person.pk,
            region_path=person.region_path,
            data={"fields": sorted(diff)},
        )
    return person


def person_move(
    *,
    actor: User,
    person: Person,
    to_grid: Region,
    house: House | None = None,
    household: Household | None = None,
    note: str = "",
) -> Person:
    """Move a person to another grid of the district. The sending side acts; the
    receiving grid's workers are told, and the person's category records follow."""
    access.require_scope(actor, person.region_path, write=True)
    _require_active(person)
    if to_grid.level != Level.GRID or not to_grid.active:
        raise RegistryError("请选择迁入的网格")
    if to_grid.pk == person.grid_id:
        raise RegistryError("迁入网格与现网格相同")
    for target in (house, household):
        if target is not None and target.grid_id != to_grid.pk:
            raise RegistryError("所选房屋或户不在迁入网格内")
    from_grid = person.grid
    with transaction.atomic():
        person.grid, person.region_path = to_grid, to_grid.path
        person.house, person.household = house, household
        person.save()
        Record.objects.filter(subject=Subject.PERSON, subject_id=person.pk).update(
            grid=to_grid, region_path=to_grid.path
        )
        _history(person, MoveKind.MOVE, actor, from_grid=from_grid, to_grid=to_grid, note=note)
        journal_write(
            actor=actor,
            action="person.move",
            object_type="person",
            object_id=person.pk,
            region_path=to_grid.path,
            data={"from": from_grid.code, "to": to_grid.code},
        )
        notify(
            grid_staff([to_grid.pk], [to_grid.leader_id] if to_grid.leader_id else []),
            f"{person.name}（{person.id_number_masked}）从{from_grid.name}迁入本网格，请核实登记",
            reverse("registry:person", args=[person.pk]),
        )
    return person


def person_leave(*, actor: User, person: Person, kind: str, note: str) -> Person:
    """迁出 or 死亡注销: the person is archived, never deleted; their records end."""
    access.require_scope(actor, person.region_path, write=True)
    _require_active(person)
    statuses: dict[str, str] = {
        MoveKind.MOVE_OUT: PersonStatus.MOVED_OUT,
        MoveKind.DEATH: PersonStatus.DEAD,
    }
    if kind not in statuses:
        raise RegistryError("注销类型无效")
    if len(note.strip()) < 2:
        raise RegistryError("请填写迁往何处或死亡情况")
    today = timezone.localdate()
    with transaction.atomic():
        person.status = statuses[kind]
        person.save(update_fields=["status", "updated_at"])
        Record.objects.filter(
            subject=Subject.PERSON, subject_id=person.pk, ended_on__isnull=True
        ).update(ended_on=today, end_reason=MoveKind(kind).label, next_visit_due=None)
        _history(person, kind, actor, from_grid=person.grid, note=note)
        journal_write(
            actor=actor,
            action=f"person.{kind}",
            object_type="person",
            object_id=person.pk,
            region_path=person.region_path,
            reason=note,
        )
    return person


def person_viewed(*, actor: User, person: Person, ip: str = "") -> None:
    """Journal that someone opened a person's record: the "who looked" list."""
    journal_write(
        actor=actor,
        action="person.view",
        object_type="person",
        object_id=person.pk,
        region_path=person.region_path,
        ip=ip,
    )


def export_journal(
    *,
    actor: User,
    kind: str,
    under: Region | None,
    reveal: bool = False,
    reason: str = "",
    ip: str = "",
) -> None:
    """Journal a bulk export: who took which part of the registry out, when, and
    (for full numbers) why."""
    journal_write(
        actor=actor,
        action="registry.export_full" if reveal else "registry.export",
        object_type="export",
        object_id=kind,
        region_path=under.path if under else "",
        reason=reason,
        ip=ip,
    )


def house_create(
    *,
    actor: User,
    grid: Region,
    number: str,
    address: str,
    use: str = HouseUse.HOME,
    owner_name: str = "",
    area: Decimal | None = None,
    lng: float | None = None,
    lat: float | None = None,
) -> House:
    if grid.level != Level.GRID:
        raise RegistryError("房屋必须属于一个网格")
    access.require_scope(actor, grid.path, write=True)
    if use not in HouseUse.values:
        raise RegistryError(f"房屋用途「{use}」不在代码表中")
    _refuse_taken(actor, House.objects.filter(number=number), f"房屋编号 {number} 已存在")
    with transaction.atomic():
        house = House.objects.create(
            grid=grid,
            region_path=grid.path,
            number=number,
            address=address,
            use=use,
            owner_name=owner_name,
            area=area,
            lng=lng,
            lat=lat,
        )
        _journal_created(actor, house, "house")
    return house


def person_reveal_id(*, actor: User, person: Person, reason: str, ip: str = "") -> str:
    """The full identity number, for a user with the grant, journaled with the reason."""
    access.require_scope(actor, person.region_path)
    return identity_reveal(
        actor=actor, of=person, region_path=person.region_path, reason=reason, ip=ip
    )


def identity_reveal(*, actor: User, of: Any, region_path: str, reason: str, ip: str = "") -> str:
    """The full identity number kept encrypted on `of` (a person, an application …)
    for a user with the identity grant, journaled as `<type>.reveal_id` with the
    reason. The caller has checked that the record is the actor's to see."""
    if not access.has_grant(actor, GrantKind.IDENTITY):
        raise PermissionDenied("没有查看完整身份证号的授权")
    if len(reason.strip()) < 2:
        raise RegistryError("查看完整身份证号必须填写理由")
    kind = str(of._meta.model_name)
    journal_write(
        actor=actor,
        action=f"{kind}.reveal_id",
        object_type=kind,
        object_id=of.pk,
        region_path=region_path,
        reason=reason,
        ip=ip,
    )
    return cipher().decrypt(of.id_number_encrypted)


def age(person: Person, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def organisation_create(
    *,
    actor: User,
    grid: Region,
    kind: str,
    name: str,
    credit_code: str,
    address: str = "",
    legal_representative: str = "",
    employees: int | None = None,
) -> Organisation:
    """A 非公有制经济组织, 社会组织 or other unit, found by its 统一社会信用代码."""
    _check_unit(actor, grid, name, kind, OrganisationKind)
    try:
        code = creditcode.parse(credit_code)
    except creditcode.InvalidCreditCode as exc:
        raise RegistryError(str(exc)) from None
    _refuse_taken(
        actor, Organisation.objects.filter(credit_code=code), f"统一社会信用代码 {code} 已登记"
    )
    with transaction.atomic():
        organisation = Organisation.objects.create(
            grid=grid,
            region_path=grid.path,
            kind=kind,
            name=name.strip(),
            credit_code=code,
            address=address.strip(),
            legal_representative=legal_representative.strip(),
            employees=employees,
        )
        _journal_created(actor, organisation, "organisation")
    return organisation


def place_create(
    *, actor: User, grid: Region, kind: str, name: str, code: str = "", address: str = ""
) -> Place:
    """A school, key area, guarded line or venue that records attach to."""
    _check_unit(actor, grid, name, kind, PlaceKind)
    with transaction.atomic():
        place = Place.objects.create(
            grid=grid,
            region_path=grid.path,
            kind=kind,
            name=name.strip(),
            code=code.strip(),
            address=address.strip(),
        )
        _journal_created(actor, place, "place")
    return place


def _check_unit(actor: User, grid: Region, name: str, kind: str, kinds: type[TextChoices]) -> None:
    if grid.level != Level.GRID:
        raise RegistryError("必须属于一个网格")
    access.require_scope(actor, grid.path, write=True)
    if not name.strip():
        raise RegistryError("名称必填")
    if kind not in kinds.values:
        raise RegistryError(f"类别「{kind}」不在代码表中")


def _journal_created(
    actor: User, obj: Household | House | Organisation | Place, object_type: str
) -> None:
    journal_write(
        actor=actor,
        action=f"{object_type}.create",
        object_type=object_type,
        object_id=obj.pk,
        region_path=obj.region_path,
    )
