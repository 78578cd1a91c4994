"""The 部件 registry's writes: a part entered, changed, its damage reported as an
event in one call, and its state following that event. Each checks its actor's
scope and journals itself; every change is kept field by field (PartChange)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from pingan.accounts import access
from pingan.accounts.models import Department, User
from pingan.audit.services import journal_write
from pingan.events import photos as event_photos
from pingan.events.lifecycle import OPEN
from pingan.events.models import Channel, Event
from pingan.events.services import Intake, Report, category_for, event_report
from pingan.lib import fieldspec
from pingan.lib.errors import DomainError
from pingan.regions import geo
from pingan.regions.models import Region
from pingan.things import codes
from pingan.things.models import (
    Part,
    PartChange,
    PartClass,
    PartEvent,
    PartSource,
    PartState,
)


class PartError(DomainError):
    pass


# What a part's damage report may say it is: the states an event can fix.
REPORTED_STATES = (PartState.DAMAGED, PartState.LOST, PartState.OCCUPIED)
EDITABLE = ("name", "address", "holder", "note", "owner", "maintainer", "state", "attributes")


def part_create(
    *,
    actor: User | None,
    part_class: PartClass,
    lng: float,
    lat: float,
    name: str = "",
    address: str = "",
    code: str = "",
    owner: Department | None = None,
    holder: str = "",
    maintainer: Department | None = None,
    attributes: dict[str, Any] | None = None,
    line: list[list[float]] | None = None,
    source: str = PartSource.SURVEYED,
    note: str = "",
) -> Part:
    """A part at a point (or along a line starting there), in the grid the point
    falls in. Without a code it takes the next of its county and class."""
    grid = grid_at(lng, lat)
    if actor is not None:
        access.require_scope(actor, grid.path, write=True)
    values = check_attributes(part_class, attributes or {})
    with transaction.atomic():
        part = Part.objects.create(
            code=_code_for(part_class, grid, code),
            part_class=part_class,
            name=(name.strip() or part_class.name)[:100],
            lng=lng,
            lat=lat,
            line=check_line(line),
            grid=grid,
            region_path=grid.path,
            address=address.strip()[:200],
            owner=owner,
            holder=holder.strip()[:100],
            maintainer=maintainer or part_class.maintainer,
            attributes=values,
            source=source,
            note=note.strip()[:200],
        )
        _changed(part, actor, "create", {"code": [None, part.code]})
    return part


def grid_at(lng: float, lat: float) -> Region:
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise PartError("位置坐标无效")
    grid = geo.locate(lng, lat)
    if grid is None:
        raise PartError("该位置不在本区任何网格内，请确认位置")
    return grid


def _code_for(part_class: PartClass, grid: Region, given: str) -> str:
    county = grid.code[:6]
    if not given.strip():
        return codes.next_codes(county, part_class.code)[0]
    parsed = codes.parse(given)
    if parsed.class_code != part_class.code:
        raise PartError(
            f"部件编码「{given}」的类别码{parsed.class_code}与小类{part_class.code}不符"
        )
    if parsed.county != county:
        raise PartError(f"部件编码「{given}」的县级代码{parsed.county}与所在区县{county}不符")
    if Part.objects.filter(code=str(parsed)).exists():
        raise PartError(f"部件编码「{given}」已被使用")
    codes.taken(parsed)
    return str(parsed)


def check_attributes(part_class: PartClass, raw: dict[str, Any]) -> dict[str, Any]:
    values, problems = fieldspec.clean_values(part_class.fields, raw)
    if problems:
        raise PartError("；".join(str(problem) for problem in problems))
    return values


def check_line(line: list[list[float]] | None) -> list[list[float]] | None:
    if line is None:
        return None
    try:
        points = [[float(lng), float(lat)] for lng, lat in line]
    except (TypeError, ValueError):
        raise PartError("线状部件的坐标应为 [[经度, 纬度], …]") from None
    if len(points) < 2:
        raise PartError("线状部件至少要两个点")
    return points


def part_update(*, actor: User, part: Part, **changes: Any) -> Part:
    """Correct a part: the old and new value of each changed field are kept."""
    access.require_scope(actor, part.region_path, write=True)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise PartError(f"不能修改：{'、'.join(sorted(unknown))}")
    if "state" in changes and changes["state"] not in PartState.values:
        raise PartError("部件状态应为完好、破损、丢失、占用或废弃")
    if "attributes" in changes:
        changes["attributes"] = check_attributes(part.part_class, changes["attributes"])
    diff = {
        name: [_plain(getattr(part, name)), _plain(value)]
        for name, value in changes.items()
        if getattr(part, name) != value
    }
    if not diff:
        return part
    with transaction.atomic():
        for name, value in changes.items():
            setattr(part, name, value)
        part.save()
        _changed(part, actor, "update", diff)
    return part


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, Department) else value


def part_report_damage(
    *,
    actor: User | None,
    part: Part,
    state: str = PartState.DAMAGED,
    description: str = "",
    photos: Sequence[event_photos.Checked] = (),
    ip: str = "",
) -> Intake:
    """One tap: an event about the part, at its place and grid, sent to its 养护
    department, and the part marked as reported until the event is closed."""
    if state not in REPORTED_STATES:
        raise PartError("请选择破损、丢失或占用")
    if actor is not None:
        access.require_scope(actor, part.region_path)
    open_one = part.events.filter(event__state__in=OPEN).select_related("event").first()
    if open_one is not None:
        raise PartError(f"该部件已有在办事件（回执码 {open_one.event.receipt}），请勿重复上报")
    said = PartState(state).label
    report = Report(
        category=category_for(part.part_class.group.category_code),
        lng=part.lng,
        lat=part.lat,
        description=f"{part.part_class.name}{said}（部件 {part.code}）{description.strip()}",
        address=part.address,
        source_ref=part.code,
        grid_code=part.grid.code,
        department_id=part.maintainer_id,
        photos=list(photos),
    )
    with transaction.atomic():
        intake = event_report(actor=actor, channel=Channel.FACILITY, report=report, ip=ip)
        PartEvent.objects.create(part=part, event=intake.event, state=state)
        _set_state(part, state, actor, intake.event)
    return intake


def _set_state(part: Part, state: str, actor: User | None, event: Event | None) -> None:
    if part.state == state:
        return
    old = part.state
    Part.objects.filter(pk=part.pk).update(state=state)
    part.state = state
    _changed(part, actor, "state", {"state": [old, state]}, event)


def follow_event(
    sender: object, event: Event, action: str, actor: User | None, inputs: dict, **_: Any
) -> None:
    """A part's state follows its damage report (events.signals.event_moved): 完好
    when the verifier closes it, unless they say the part is otherwise, or when
    it recovered by itself (a camera back online); back to
    what it was when the report is not accepted."""
    link = PartEvent.objects.filter(event=event).select_related("part").first()
    if link is None:
        return
    if action in ("verify_pass", "restored"):
        _set_state(link.part, inputs.get("facility") or PartState.GOOD, actor, event)
    elif action == "reject":
        before = (
            PartChange.objects.filter(part=link.part, event=event, what="state")
            .order_by("id")
            .first()
        )
        if before is not None:
            _set_state(link.part, before.changes["state"][0], actor, event)


def _changed(
    part: Part, actor: User | None, what: str, diff: dict, event: Event | None = None
) -> None:
    PartChange.objects.create(part=part, actor=actor, what=what, changes=diff, event=event)
    journal_write(
        actor=actor,
        action=f"part.{what}",
        object_type="part",
        object_id=part.pk,
        region_path=part.region_path,
        data={"code": part.code, **diff},
    )
