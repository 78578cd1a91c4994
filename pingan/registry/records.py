"""Category records (memberships): adding a person to 社区矫正人员 or a house to 出租房,
keeping the values current, ending the record, and the follow-up visits a risk level
calls for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingan.lib import fieldspec

if TYPE_CHECKING:
    from pingan.events.models import Event

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import GRID_ROLES, GrantKind, Role, User
from pingan.audit.services import journal_write
from pingan.lib.divisions import ancestor_paths
from pingan.lib.fieldspec import clean_values
from pingan.regions.models import Region
from pingan.registry.codes import PersonStatus
from pingan.registry.definitions import DefinitionError
from pingan.registry.models import (
    Definition,
    House,
    Household,
    Organisation,
    Person,
    Place,
    Record,
    RiskLevel,
    Subject,
    Visit,
)

SUBJECT_MODELS: dict[str, type[Model]] = {
    Subject.PERSON: Person,
    Subject.HOUSEHOLD: Household,
    Subject.HOUSE: House,
    Subject.ORGANISATION: Organisation,
    Subject.PLACE: Place,
}


def may_see(user: User, definition: Definition) -> bool:
    return not definition.sensitive or access.has_grant(user, GrantKind.SENSITIVE)


def require_may_see(user: User, definition: Definition) -> None:
    if not may_see(user, definition):
        raise PermissionDenied(f"「{definition.name}」属于敏感数据，需要专门授权")


def next_due(definition: Definition, risk_level: str, since: dt.date) -> dt.date | None:
    days = definition.visit_days.get(risk_level) if risk_level else None
    return since + dt.timedelta(days=int(days)) if days else None


# A record's responsible helper: the staff of its grid, village and township.
HELPER_ROLES = GRID_ROLES | {Role.VILLAGE_CENTRE, Role.TOWNSHIP_CENTRE}


def helpers_for(path: str) -> list[User]:
    """Who can be a record's responsible helper: the staff of its grid, village
    and township (网格员, 网格长, 村/乡镇综治中心)."""
    staff = User.objects.filter(
        is_active=True, role__in=HELPER_ROLES, region__path__in=ancestor_paths(path)
    )
    return list(staff.order_by("role", "username")[:100])


def helper_for(path: str, user_id: str) -> User | None:
    """The helper picked on the form (by id), who must be one of helpers_for(path)."""
    if not user_id:
        return None
    helper = next((u for u in helpers_for(path) if str(u.pk) == user_id), None)
    if helper is None:
        raise DefinitionError("帮扶责任人须是该网格、村或乡镇的工作人员")
    return helper


def record_add(
    *,
    actor: User,
    definition: Definition,
    subject: Model,
    values: dict,
    risk_level: str = "",
    helper: User | None = None,
    started_on: dt.date | None = None,
) -> Record:
    """Enter a subject into a category. Every field problem is reported at once."""
    _check_subject(definition, subject)
    path: str = subject.region_path  # type: ignore[attr-defined]
    access.require_scope(actor, path, write=True)
    require_may_see(actor, definition)
    cleaned = _clean(definition, values)
    _check_risk(definition, risk_level)
    if Record.objects.filter(
        definition=definition, subject_id=subject.pk, ended_on__isnull=True
    ).exists():
        raise DefinitionError(f"已登记为「{definition.name}」，请修改原记录")
    started = started_on or timezone.localdate()
    with transaction.atomic():
        record = Record.objects.create(
            definition=definition,
            version=definition.version,
            subject=definition.subject,
            subject_id=subject.pk,
            grid_id=subject.grid_id,  # type: ignore[attr-defined]
            region_path=path,
            values=cleaned,
            risk_level=risk_level,
            helper=helper,
            started_on=started,
            next_visit_due=next_due(definition, risk_level, started),
        )
        _journal(actor, record, "record.add")
        if definition.code == DISPUTE:
            record.event = _dispute_event(actor, record, subject)
            record.save(update_fields=["event"])
    return record


DISPUTE = "dispute"
DISPUTE_CATEGORY = "ZZ01"


def _dispute_event(actor: User, record: Record, subject: Model) -> Event:
    """A registered dispute is resolved through the event closed loop: the village
    centre accepts it, dispatches it to 司法所 or mediators, the district can 督办 it,
    and the grid worker verifies the result."""
    from pingan.events.services import Report, category_for, event_report

    lng, lat = subject_point(subject)
    values = record.values
    kind = fieldspec.display(
        next(f for f in record.definition.fields if f["key"] == "kind"), values.get("kind")
    )
    intake = event_report(
        actor=actor,
        channel="screening",
        report=Report(
            category=category_for(DISPUTE_CATEGORY),
            lng=lng,
            lat=lat,
            description=f"【{kind}】{values.get('title', '')}",
            address=str(values.get("place", "")),
        ),
    )
    return intake.event


def subject_point(subject: Model) -> tuple[float, float]:
    """Where a subject is: its own coordinates, its household's, or inside its grid."""
    for holder in (subject, getattr(subject, "household", None), getattr(subject, "house", None)):
        lng, lat = getattr(holder, "lng", None), getattr(holder, "lat", None)
        if lng is not None and lat is not None:
            return lng, lat
    grid = Region.objects.get(pk=subject.grid_id)  # type: ignore[attr-defined]
    return grid.inner_point()


def _check_subject(definition: Definition, subject: Model) -> None:
    if not isinstance(subject, SUBJECT_MODELS[definition.subject]):
        raise DefinitionError(
            f"「{definition.name}」登记的是{Subject(definition.subject).label}，不是这类对象"
        )
    if isinstance(subject, Person) and subject.status != PersonStatus.ACTIVE:
        raise DefinitionError("该人员已归档，不能再登记")
    if not definition.active:
        raise DefinitionError(f"「{definition.name}」已停用")


def _clean(definition: Definition, values: dict) -> dict:
    cleaned, errors = clean_values(definition.fields, values)
    if errors:
        raise DefinitionError("；".join(str(error) for error in errors))
    return cleaned


def _check_risk(definition: Definition, risk_level: str) -> None:
    if risk_level and risk_level not in RiskLevel.values:
        raise DefinitionError(f"风险等级「{risk_level}」无效")
    if definition.visit_days and not risk_level:
        raise DefinitionError(f"「{definition.name}」需要评定风险等级，以确定走访周期")


def record_update(
    *, actor: User, record: Record, values: dict, risk_level: str | None = None
) -> Record:
    """New values under the definition's current version."""
    access.require_scope(actor, record.region_path, write=True)
    definition = record.definition
    require_may_see(actor, definition)
    if record.ended_on:
        raise DefinitionError("记录已结束，不能修改")
    record.values = _clean(definition, values)
    record.version = definition.version
    if risk_level is not None and risk_level != record.risk_level:
        _check_risk(definition, risk_level)
        record.risk_level = risk_level
        since = record.last_visit_at.date() if record.last_visit_at else record.started_on
        record.next_visit_due = next_due(definition, risk_level, since)
    with transaction.atomic():
        record.save()
        _journal(actor, record, "record.update")
    return record


def record_end(*, actor: User, record: Record, reason: str) -> Record:
    access.require_scope(actor, record.region_path, write=True)
    require_may_see(actor, record.definition)
    if record.ended_on:
        raise DefinitionError("记录已结束")
    if len(reason.strip()) < 2:
        raise DefinitionError("请填写结束原因（如 解除矫正、已脱贫）")
    with transaction.atomic():
        record.ended_on = timezone.localdate()
        record.end_reason = reason.strip()
        record.next_visit_due = None
        record.save()
        _journal(actor, record, "record.end", reason=reason)
    return record


def visit_add(
    *,
    actor: User,
    record: Record,
    note: str,
    risk_level: str = "",
    at: dt.datetime | None = None,
) -> Visit:
    """A follow-up visit; the next one falls due by the (possibly re-assessed) risk."""
    access.require_scope(actor, record.region_path, write=True)
    require_may_see(actor, record.definition)
    if record.ended_on:
        raise DefinitionError("记录已结束，不需再走访")
    if len(note.strip()) < 2:
        raise DefinitionError("请填写走访情况")
    _check_risk(record.definition, risk_level or record.risk_level)
    at = at or timezone.now()
    with transaction.atomic():
        visit = Visit.objects.create(
            record=record, at=at, by=actor, note=note.strip(), risk_level=risk_level
        )
        record.risk_level = risk_level or record.risk_level
        record.last_visit_at = at
        record.next_visit_due = next_due(
            record.definition, record.risk_level, timezone.localtime(at).date()
        )
        record.save()
        _journal(actor, record, "record.visit")
    return visit


def _journal(actor: User, record: Record, action: str, reason: str = "") -> None:
    journal_write(
        actor=actor,
        action=action,
        object_type="record",
        object_id=record.pk,
        region_path=record.region_path,
        reason=reason,
        data={"definition": record.definition.code, "version": record.version},
    )
