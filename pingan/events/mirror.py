"""An event as another platform sees it, and what that platform did to it applied
here (互联互通). The holder of an event (events/handover.py) sends each step with
the columns it left; the other side applies them to its copy as they are, without
running the transition again: the holder has already checked who may act.

What crosses is what the other level needs to take the case on: no reporter's name
or identity, the phone masked (the side that calls back needs to know there is
someone to call), the public copies of the photos (no EXIF, so no location beyond
the event's own)."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pingan.audit.services import journal_write
from pingan.events import counts, handover, notify
from pingan.events import photos as photos_store
from pingan.events.errors import EventError
from pingan.events.models import Category, Channel, Event, Level, State, Step, Urgency
from pingan.lib.dates import parse_moment
from pingan.lib.receipts import new_receipt
from pingan.lib.text import mask_phone
from pingan.regions.models import Region

# The columns a step leaves that the other side's copy follows. Assignments,
# handlers and verifiers stay on the holder's platform: the copy shows their names
# on the timeline, not as its own records.
MOMENTS = ("deadline", "warn_at", "step_started_at", "supervise_deadline", "closed_at")
PLAIN = ("state", "level", "urgency", "supervised", "rework_count", "pending_request")
# What a side that does not hold the event may change on the holder's (督办).
ACROSS: dict[str, tuple[str, ...]] = {"supervise": ("supervised", "supervise_deadline")}


def columns(event: Event) -> dict[str, Any]:
    """The columns as they cross: plain values, moments in ISO 8601."""
    found: dict[str, Any] = {name: getattr(event, name) for name in PLAIN}
    for name in MOMENTS:
        moment = getattr(event, name)
        found[name] = moment.isoformat() if moment else None
    return found


def _read(given: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    read: dict[str, Any] = {}
    for name in names:
        if name not in given:
            continue
        value = given[name]
        if name in MOMENTS:
            value = _moment(value)
        read[name] = value
    if "state" in read and read["state"] not in State.values:
        raise EventError(f"未知的事件状态：{read['state']}")
    if "level" in read and read["level"] not in Level.values:
        raise EventError(f"未知的事件层级：{read['level']}")
    if "urgency" in read and read["urgency"] not in Urgency.values:
        raise EventError(f"未知的紧急程度：{read['urgency']}")
    return read


def _moment(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = parse_moment(str(value))
    except ValueError:
        raise EventError(f"时间格式不对：{value}") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# ---- what is sent ---------------------------------------------------------------


def step_view(step: Step) -> dict[str, Any]:
    return {
        "action": step.action,
        "from_state": step.from_state,
        "to_state": step.to_state,
        "actor": step.actor_label,
        "note": step.note,
        "public": step.public,
        "data": step.data,
        "at": step.at.isoformat(),
        "photos": [_photo(photo) for photo in step.photo_set.order_by("id")],
    }


def _photo(photo) -> str:
    with photo.public.open("rb") as file:
        return base64.b64encode(file.read()).decode()


def case_view(event: Event) -> dict[str, Any]:
    """The event with its timeline, as the level taking it over receives it."""
    return {
        "receipt": event.receipt,
        "category": event.category.code,
        "channel": event.channel,
        "description": event.description,
        "address": event.address,
        "lng": event.lng,
        "lat": event.lat,
        "reporter_phone": mask_phone(event.reporter_phone) if event.reporter_phone else "",
        "created_at": event.created_at.isoformat(),
        "columns": columns(event),
        "steps": [step_view(step) for step in event.steps.order_by("at", "id")],
    }


# ---- what is received -----------------------------------------------------------


def case_take(
    event: Event | None,
    *,
    case: Mapping[str, Any],
    step: Mapping[str, Any],
    category: Category,
    node: Region,
    level: Level,
    origin: str,
    now: dt.datetime,
) -> Event:
    """The case handed to this platform (escalated up to it, assigned down to it),
    held here from now on at `level`. One it has not seen becomes a new event with
    the whole timeline; its own copy, which has mirrored every step so far, takes
    the step of handing over."""
    if event is None:
        event = _copy_new(case, category, node, origin, now)
        steps = list(case.get("steps") or [])
    else:
        steps = [step]
    given = case.get("columns") or {}
    for each in steps:
        step_apply(event, step=each, given=given, origin=origin, notify_=False)
    _apply_columns(event, {"level": level, "held_by": ""})
    notify.notify(
        notify.centre_users(event),
        event,
        f"{handover.name(origin)}转来事件 {event.receipt}（{event.category.name}），请办理",
    )
    return event


def _channel(given: Any) -> str:
    """How it came in at its origin, kept; one this platform has no name for is
    simply 上级交办."""
    return str(given) if given in Channel.values else str(Channel.ASSIGNMENT)


def _copy_new(
    case: Mapping[str, Any], category: Category, node: Region, origin: str, now: dt.datetime
) -> Event:
    created = _moment(case.get("created_at")) or now
    event = Event.objects.create(
        receipt=new_receipt(),
        category=category,
        channel=_channel(case.get("channel")),
        state=State.REPORTED,
        description=str(case.get("description") or "")[:5000] or "（上级平台未附描述）",
        address=str(case.get("address") or "")[:200],
        lng=float(case.get("lng") or 0),
        lat=float(case.get("lat") or 0),
        grid=node,
        region_path=node.path,
        reporter_phone=str(case.get("reporter_phone") or "")[:20],
        source_ref=f"{origin}:{case.get('receipt', '')}"[:64],
        created_at=created,
        step_started_at=now,
    )
    counts.reported([event])
    journal_write(
        actor=None,
        action="event.received",
        object_type="event",
        object_id=event.pk,
        region_path=event.region_path,
        data={"from": origin, "their_receipt": case.get("receipt", ""), "receipt": event.receipt},
    )
    return event


def step_apply(
    event: Event,
    *,
    step: Mapping[str, Any],
    given: Mapping[str, Any],
    origin: str,
    holder: bool = True,
    notify_: bool = True,
) -> Step:
    """One step taken on the other platform, recorded here with the columns it left
    (all of them from the holder; from the side that only supervises, what 督办
    changes)."""
    action = str(step.get("action") or "")
    if not action:
        raise EventError("步骤缺少 action")
    names = _following(action, holder=holder)
    with transaction.atomic():
        from_state = event.state
        if names:
            _apply_columns(event, _read(given, names))
        recorded = Step.objects.create(
            event=event,
            action=action,
            from_state=str(step.get("from_state") or from_state),
            to_state=event.state,
            actor_label=f"{handover.name(origin)}：{step.get('actor') or ''}"[:100],
            note=str(step.get("note") or ""),
            public=bool(step.get("public", True)),
            data={**(step.get("data") or {}), "mirrored_from": origin},
            at=_moment(step.get("at")) or timezone.now(),
        )
        for encoded in step.get("photos") or []:
            data = base64.b64decode(encoded)
            photos_store.photo_attach(
                event=event, data=data, image=photos_store.decode(data), step=recorded
            )
        journal_write(
            actor=None,
            action=f"event.{action}",
            object_type="event",
            object_id=event.pk,
            region_path=event.region_path,
            reason=recorded.note,
            data={"from": from_state, "to": event.state, "mirrored_from": origin},
        )
    if notify_ and action == "supervise":
        notify.notify(
            notify.centre_users(event),
            event,
            f"{handover.name(origin)}督办事件 {event.receipt}：{recorded.note}",
        )
    return recorded


def _following(action: str, *, holder: bool) -> tuple[str, ...]:
    """The columns a step sets on the copy. What either side may do (督办) is set by
    its own steps alone: the holder's other steps carry the value it had when they
    were taken, which may predate a 督办 still on its way from the other side."""
    across = {name for names in ACROSS.values() for name in names}
    own = ACROSS.get(action, ())
    if not holder:
        return own
    return tuple(name for name in PLAIN + MOMENTS if name not in across) + own


def _apply_columns(event: Event, changes: dict[str, Any]) -> None:
    from_state = event.state
    Event.objects.filter(pk=event.pk).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    event.refresh_from_db()
    counts.moved(event, from_state)
