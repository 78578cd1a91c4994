"""Registry changes made in the field: people, households, houses and category
memberships added or corrected on the phone, through the same registry services
(so the same checks) as the web.

An update carries `base`, the values the worker saw. If the server copy has moved
on since, the change is kept as a conflict with the server's values beside it and
nothing is overwritten; the worker then discards theirs or applies it knowingly.
Where a village asks for it, a grid worker's change waits for the village officer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF, GRID_ROLES, User
from pingan.audit.services import journal_write
from pingan.fieldwork.models import Change, ChangeKind, ChangeStatus, FieldPolicy
from pingan.fieldwork.services import FieldError
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.registry import records as registry_records
from pingan.registry import services as registry
from pingan.registry.models import Definition, Household, Person

FIELD_ROLES = GRID_ROLES
REVIEWERS = CENTRE_STAFF  # who accepts a worker's change: the centres above it
UPDATES = {ChangeKind.PERSON_UPDATE: Person, ChangeKind.HOUSEHOLD_UPDATE: Household}


@dataclass
class Proposed:
    kind: str
    payload: dict[str, Any]
    base: dict[str, Any] = field(default_factory=dict)
    target_id: int | None = None


def change_submit(
    *, actor: User, proposed: Proposed, client_uuid: uuid.UUID | None = None
) -> Change:
    """Take a change from the phone: applied at once, held for approval, or held
    as a conflict. Invalid data is refused here, before anything is kept."""
    if proposed.kind not in ChangeKind.values:
        raise FieldError(f"未知的修改类型：{proposed.kind}")
    target = _target(actor, proposed)
    grid = _grid(actor, proposed, target)
    access.require_scope(actor, grid.path, write=True)
    change = Change(
        kind=proposed.kind,
        actor=actor,
        grid=grid,
        region_path=grid.path,
        target_id=proposed.target_id,
        payload=proposed.payload,
        base=proposed.base,
        client_uuid=client_uuid,
    )
    with transaction.atomic():
        _settle(change, actor)
        change.save()
        _journal(actor, change, "field.change")
    return change


def _target(actor: User, proposed: Proposed) -> Person | Household | None:
    model = UPDATES.get(ChangeKind(proposed.kind))
    if model is None:
        return None
    found = access.scope(actor, model.objects.all()).filter(pk=proposed.target_id).first()  # type: ignore[attr-defined]
    if found is None:
        raise FieldError("没有找到要修改的对象，或不在您的网格")
    missing = set(proposed.payload) - set(proposed.base)
    if missing:
        raise FieldError(f"缺少修改前的值：{'、'.join(sorted(missing))}")
    return found


def _grid(actor: User, proposed: Proposed, target) -> Region:
    """Where the change lands: the target's grid, the named grid, the household's,
    the subject's, or the worker's own grid."""
    grids = Region.objects.defer("boundary")
    payload = proposed.payload
    if target is not None:
        return grids.get(pk=target.grid_id)
    if payload.get("grid_code"):
        grid = grids.filter(code=payload["grid_code"], level=Level.GRID).first()
        if grid is None:
            raise FieldError(f"没有网格 {payload['grid_code']}")
        return grid
    if payload.get("household_id"):
        return grids.get(pk=_household(actor, payload["household_id"]).grid_id)
    if proposed.kind == ChangeKind.RECORD_ADD:
        return grids.get(pk=_subject(actor, payload).grid_id)  # type: ignore[attr-defined]
    if actor.region is not None and actor.region.level == Level.GRID:
        return actor.region
    raise FieldError("请指定网格")


def _household(actor: User, household_id: int) -> Household:
    household = access.scope(actor, Household.objects.all()).filter(pk=household_id).first()
    if household is None:
        raise FieldError("没有找到该户，或不在您的网格")
    return household


def _settle(change: Change, actor: User) -> None:
    server = conflicts(change)
    if server:
        change.status, change.server = ChangeStatus.CONFLICT, server
    elif needs_approval(actor, change.grid):
        _dry_run(change, actor)
        change.status = ChangeStatus.PENDING
    else:
        change.result_id = _apply(change, actor)
        change.status = ChangeStatus.APPLIED


def current_values(change: Change) -> dict[str, Any]:
    """The server's values of the fields the change touches."""
    model = UPDATES.get(ChangeKind(change.kind))
    if model is None:
        return {}
    target = model.objects.get(pk=change.target_id)  # type: ignore[attr-defined]
    return {key: _value(target, key) for key in change.base}


def _value(target, key: str) -> Any:
    if key == "phone":
        return target.phone_masked
    value = getattr(target, key, None)
    return round(value, 6) if isinstance(value, float) else value


def conflicts(change: Change) -> dict[str, Any]:
    """The fields whose server value is no longer the one the worker started from."""
    current = current_values(change)
    return {
        key: value for key, value in current.items() if _same(value) != _same(change.base.get(key))
    }


def _same(value: Any) -> str:
    if isinstance(value, float):
        value = round(value, 6)
    return "" if value is None else str(value).strip()


def needs_approval(actor: User, grid: Region) -> bool:
    if actor.role not in FIELD_ROLES:
        return False
    return FieldPolicy.objects.filter(village_id=grid.parent_id, approve_changes=True).exists()


class _DryRun(Exception):
    pass


def _dry_run(change: Change, actor: User) -> None:
    """Run the change and roll it back: the web's checks, without keeping anything."""
    try:
        with transaction.atomic():
            _apply(change, actor)
            raise _DryRun
    except _DryRun:
        pass


def _apply(change: Change, actor: User) -> int:
    payload = dict(change.payload)
    kind = ChangeKind(change.kind)
    if kind == ChangeKind.PERSON_CREATE:
        household_id = payload.pop("household_id", None)
        payload.pop("grid_code", None)
        household = _household(actor, household_id) if household_id else None
        return registry.person_create(
            actor=actor, grid=change.grid, household=household, note="网格员采集", **payload
        ).pk
    if kind == ChangeKind.PERSON_UPDATE:
        person = Person.objects.get(pk=int(change.target_id or 0))
        return registry.person_update(
            actor=actor, person=person, phone=payload.pop("phone", None), **payload
        ).pk
    if kind == ChangeKind.HOUSEHOLD_CREATE:
        payload.pop("grid_code", None)
        return registry.household_create(actor=actor, grid=change.grid, **payload).pk
    if kind == ChangeKind.HOUSEHOLD_UPDATE:
        household = Household.objects.get(pk=int(change.target_id or 0))
        return registry.household_update(actor=actor, household=household, **payload).pk
    if kind == ChangeKind.HOUSE_CREATE:
        payload.pop("grid_code", None)
        payload.pop("household_id", None)  # it only told _grid where the house stands
        return registry.house_create(actor=actor, grid=change.grid, **payload).pk
    definition = _definition(payload)
    return registry_records.record_add(
        actor=actor,
        definition=definition,
        subject=_subject(actor, payload),
        values=payload.get("values", {}),
        risk_level=payload.get("risk_level", ""),
    ).pk


def _definition(payload: dict) -> Definition:
    definition = Definition.objects.filter(code=payload.get("definition"), active=True).first()
    if definition is None:
        raise FieldError(f"没有类别「{payload.get('definition')}」")
    return definition


def _subject(actor: User, payload: dict):
    definition = _definition(payload)
    model = registry_records.SUBJECT_MODELS[definition.subject]
    subject = access.scope(actor, model.objects.all()).filter(pk=payload.get("subject_id")).first()  # type: ignore[attr-defined]
    if subject is None:
        raise FieldError("没有找到登记对象，或不在您的网格")
    return subject


def change_review(*, actor: User, change: Change, approve: bool, note: str = "") -> Change:
    """The village officer (or above) approves a held change, which then goes into
    the registry, or sends it back with a reason."""
    if actor.role not in REVIEWERS:
        raise PermissionDenied("只有村（社区）及以上综治中心可以审核")
    access.require_scope(actor, change.region_path, write=True)
    if not approve and len(note.strip()) < 2:
        raise FieldError("驳回请说明理由")
    with transaction.atomic():
        change = _locked(change, ChangeStatus.PENDING, "该修改不在待审核状态")
        if not approve:
            change.status = ChangeStatus.REJECTED
        elif server := conflicts(change):
            change.status, change.server = ChangeStatus.CONFLICT, server
        else:
            change.result_id = _apply(change, actor)
            change.status = ChangeStatus.APPLIED
        change.reviewer, change.reviewed_at, change.review_note = actor, timezone.now(), note
        change.save()
        _journal(actor, change, "field.change.review")
    return change


def change_resolve(*, actor: User, change: Change, keep_mine: bool) -> Change:
    """The worker's answer to a conflict: drop their change, or apply it over the
    server's values now that they have seen them."""
    if actor.pk != change.actor_id and actor.role not in REVIEWERS:
        raise PermissionDenied("只能处理自己提交的修改")
    access.require_scope(actor, change.region_path, write=True)
    with transaction.atomic():
        change = _locked(change, ChangeStatus.CONFLICT, "该修改没有冲突待处理")
        if keep_mine:
            change.base = current_values(change)
            change.server = {}
            _settle(change, actor)
        else:
            change.status = ChangeStatus.DISCARDED
        change.save()
        _journal(actor, change, "field.change.resolve")
    return change


def _locked(change: Change, status: str, refusal: str) -> Change:
    locked = Change.objects.select_for_update().select_related("grid").get(pk=change.pk)
    if locked.status != status:
        raise FieldError(refusal)
    return locked


def _journal(actor: User, change: Change, action: str) -> None:
    journal_write(
        actor=actor,
        action=action,
        object_type="field_change",
        object_id=change.pk,
        region_path=change.region_path,
        data={"kind": change.kind, "status": change.status, "target": change.target_id},
    )


def policy_for(village: Region) -> FieldPolicy:
    return FieldPolicy.objects.filter(village=village).first() or FieldPolicy(village=village)


def policy_set(
    *, actor: User, village: Region, approve_changes: bool, visit_every_days: int
) -> FieldPolicy:
    if actor.role not in REVIEWERS:
        raise PermissionDenied("只有村（社区）及以上综治中心可以设置")
    access.require_scope(actor, village.path, write=True)
    if village.level != Level.VILLAGE:
        raise FieldError("审核规则按村（社区）设置")
    if not 7 <= visit_every_days <= 365:
        raise FieldError("入户走访周期应在7到365天之间")
    with transaction.atomic():
        policy = policy_for(village)
        policy.approve_changes, policy.visit_every_days = approve_changes, visit_every_days
        policy.save()
        journal_write(
            actor=actor,
            action="field.policy",
            object_type="region",
            object_id=village.pk,
            region_path=village.path,
            data={"approve_changes": approve_changes, "visit_every_days": visit_every_days},
        )
    return policy
