"""Every change to an event: intake, and each transition of the lifecycle table.
A transition checks the table, the actor's role and scope and the event's current
state and version, then writes the event, its timeline step and a journal row in
one transaction. A stale or concurrent transition is refused (Conflict), never
silently applied over another."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import CENTRE_RANK, CENTRE_STAFF, GRID_ROLES, Department, Role, User
from pingan.audit.services import Record, journal_write, journal_write_many
from pingan.events import counts, duty, notify, rating, routing, timing
from pingan.events import photos as photos_store
from pingan.events.lifecycle import TABLE, Actor, Clock, Transition, read_inputs
from pingan.events.models import (
    Assignment,
    AssignmentRole,
    Category,
    Channel,
    Event,
    Level,
    State,
    Step,
    Submission,
    Urgency,
)
from pingan.lib.dates import parse_moment
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.errors import DomainError
from pingan.lib.receipts import new_receipt
from pingan.lib.text import InvalidText, clean_text, column_length
from pingan.regions.models import Region


class EventError(DomainError):
    """A request that cannot be carried out as asked; the message is Chinese."""


class Conflict(Exception):
    """Someone else changed the event first, or a client UUID was reused."""


LEVEL_RANK = {Level.VILLAGE: 0, Level.TOWNSHIP: 1, Level.DISTRICT: 2}
LEVEL_ABOVE = {Level.VILLAGE: Level.TOWNSHIP, Level.TOWNSHIP: Level.DISTRICT}
STAFF_CHANNELS: dict[str, frozenset[str]] = {
    Channel.GRID_WORKER: GRID_ROLES,
    Channel.HOTLINE: CENTRE_STAFF,
    Channel.VIDEO: CENTRE_STAFF,
    Channel.ASSIGNMENT: CENTRE_STAFF - {Role.VILLAGE_CENTRE},
    # A dispute registered by 排查 goes on to be resolved through the closed loop.
    Channel.SCREENING: GRID_ROLES | CENTRE_STAFF,
}


# ---- intake ---------------------------------------------------------------------


DESCRIPTION_LENGTH = 2000
TEXT_FIELDS = {
    "address": "地址",
    "reporter_name": "姓名",
    "reporter_phone": "电话",
    "source_ref": "来源编号",
}


@dataclass
class Report:
    category: Category
    lng: float
    lat: float
    description: str
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    source_ref: str = ""
    level: str = Level.VILLAGE
    # The grid that takes it, when not the grid of the point: a resident's report
    # from a QR code stays with the code's grid unless they chose the point.
    grid_code: str = ""
    # Checked photos (photos.photo_check), stored with the report's first step.
    photos: list[photos_store.Checked] = field(default_factory=list)

    def fingerprint(self, channel: str) -> str:
        body = {k: v for k, v in self.__dict__.items() if k not in ("category", "photos")}
        body |= {"category": self.category.code, "channel": channel}
        body["photos"] = [hashlib.sha256(data).hexdigest() for data, _image in self.photos]
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        # surrogatepass: a report with a lone surrogate is refused later, per item,
        # instead of failing the whole batch here.
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def clean(self) -> None:
        """Hold what people typed to what can be stored and shown: lengths of the
        columns, no control characters or lone surrogates (InvalidText otherwise)."""
        self.description = clean_text(
            self.description, label="描述", max_length=DESCRIPTION_LENGTH, multiline=True
        )
        for name, label in TEXT_FIELDS.items():
            limit = column_length(Event, name)
            setattr(self, name, clean_text(getattr(self, name), label=label, max_length=limit))


@dataclass
class Intake:
    event: Event
    created: bool
    similar: list[Event] = field(default_factory=list)


CATEGORY_CACHE_SECONDS = 60  # an edit in the admin reaches intake within a minute


def category_for(code: str) -> Category:
    key = f"category:{code}"
    category = cache.get(key)
    if category is None:
        category = (
            Category.objects.filter(code=code, active=True, parent__isnull=False)
            .select_related("parent")
            .first()
        )
        if category is None:
            raise EventError(f"未知的事件类别：{code}")
        cache.set(key, category, CATEGORY_CACHE_SECONDS)
    return category


@dataclass
class Submitted:
    """One report of a batch, with the UUID its phone gave it, if any."""

    report: Report
    client_uuid: uuid.UUID | None = None


Outcome = Intake | Exception
REFUSALS = (EventError, InvalidText, routing.RoutingError, access.OutOfScope, Conflict)


def event_report(
    *,
    actor: User | None,
    channel: str,
    report: Report,
    client_uuid: uuid.UUID | None = None,
    ip: str = "",
) -> Intake:
    """Take in one report from any channel. Once this returns, the event is stored:
    the receipt shown to the reporter is never lost."""
    (outcome,) = event_report_many(
        actor=actor, channel=channel, items=[Submitted(report, client_uuid)], ip=ip
    )
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def event_report_many(
    *, actor: User | None, channel: str, items: list[Submitted], ip: str = ""
) -> list[Outcome]:
    """Take in several reports, as a phone sends its offline queue. Each one is
    taken in or refused on its own (a refusal is returned in its place, never
    raised); those taken in are stored in one transaction with one journal append,
    which is what makes a batch cheaper than its reports one by one."""
    batch = _Batch(actor, channel, items, ip)
    batch.store(batch.new_ones(batch.locate()))
    return batch.results()


UUID_REUSED = "该提交编号已用于另一份不同的上报"


class _Batch:
    def __init__(self, actor: User | None, channel: str, items: list[Submitted], ip: str):
        self.actor, self.channel, self.items, self.ip = actor, channel, items, ip
        self.hashes = [item.report.fingerprint(channel) for item in items]
        self.outcomes: list[Outcome | None] = [None] * len(items)
        self.grids: dict[int, Region] = {}
        self.first_of: dict[uuid.UUID, int] = {}  # where each UUID first appears

    def locate(self) -> list[int]:
        """Check each report and find its grid; the indexes of those that pass."""
        codes: dict[int, str] = {}
        for i, item in enumerate(self.items):
            try:
                _check_report(self.actor, self.channel, item.report)
                report = item.report
                codes[i] = report.grid_code or routing.grid_code_for(report.lng, report.lat)
            except REFUSALS as exc:
                self.outcomes[i] = exc
        grids = Region.objects.defer("boundary").filter(
            code__in=codes.values(), level=RegionLevel.GRID, active=True
        )
        by_code = {grid.code: grid for grid in grids}
        for i, code in codes.items():
            try:
                if code not in by_code:
                    raise routing.RoutingError("没有这个网格")
                if self.actor is not None:
                    access.require_scope(self.actor, by_code[code].path, write=True)
            except REFUSALS as exc:
                self.outcomes[i] = exc
            else:
                self.grids[i] = by_code[code]
        return list(self.grids)

    def new_ones(self, located: list[int]) -> list[int]:
        """Those not already taken in under their UUID, here or in an earlier request."""
        fresh = []
        for i in located:
            key = self.items[i].client_uuid
            if key is None or key not in self.first_of:
                fresh.append(i)
                if key is not None:
                    self.first_of[key] = i
            elif self.hashes[self.first_of[key]] != self.hashes[i]:
                self.outcomes[i] = Conflict(UUID_REUSED)
        replays = _replays(list(self.first_of))
        new = []
        for i in fresh:
            key = self.items[i].client_uuid
            previous = replays.get(key) if key is not None else None
            if previous is None:
                new.append(i)
            elif previous.body_hash != self.hashes[i]:
                self.outcomes[i] = Conflict(UUID_REUSED)
            else:
                self.outcomes[i] = Intake(previous.event, created=False)
        return new

    def store(self, new: list[int]) -> None:
        if not new:
            return
        try:
            with transaction.atomic():
                events = self._create(new)
        except IntegrityError as clash:
            self._store_after_clash(new, clash)
            return
        places = [routing.Nearby(e.category, e.lng, e.lat, e.created_at, e.pk) for e in events]
        similar = routing.similar_events_many(places, Event.objects.all())
        for i, event, nearby in zip(new, events, similar, strict=True):
            self.outcomes[i] = Intake(event, created=True, similar=nearby)

    def _create(self, new: list[int]) -> list[Event]:
        reports = [self.items[i].report for i in new]
        events = _create_many(
            self.actor, self.channel, reports, [self.grids[i] for i in new], self.ip
        )
        Submission.objects.bulk_create(
            Submission(client_uuid=key, event=event, body_hash=self.hashes[i])
            for i, event in zip(new, events, strict=True)
            if (key := self.items[i].client_uuid) is not None
        )
        return events

    def _store_after_clash(self, new: list[int], clash: IntegrityError) -> None:
        """A receipt clashed, or a UUID arrived twice at once and the other request
        won: take the reports one by one so only the one concerned is affected."""
        if len(new) > 1:
            for i in new:
                (self.outcomes[i],) = event_report_many(
                    actor=self.actor, channel=self.channel, items=[self.items[i]], ip=self.ip
                )
            return
        key = self.items[new[0]].client_uuid
        replay = _replays([key]).get(key) if key is not None else None
        if replay is None:
            raise clash
        self.outcomes[new[0]] = Intake(replay.event, created=False)

    def results(self) -> list[Outcome]:
        results: list[Outcome] = []
        for i, item in enumerate(self.items):
            outcome = self.outcomes[i]
            if outcome is None:  # a repeat of a UUID earlier in this batch
                first = self.outcomes[self.first_of[item.client_uuid]]  # type: ignore[index]
                outcome = Intake(first.event, created=False) if isinstance(first, Intake) else first
            results.append(outcome)  # type: ignore[arg-type]
        return results


def _replays(uuids: list[uuid.UUID]) -> dict[uuid.UUID, Submission]:
    if not uuids:
        return {}
    found = Submission.objects.filter(client_uuid__in=uuids).select_related("event")
    return {s.client_uuid: s for s in found}


def _check_report(actor: User | None, channel: str, report: Report) -> None:
    if channel not in Channel.values:
        raise EventError(f"未知的上报渠道：{channel}")
    report.clean()
    if not report.description:
        raise EventError("请描述发生了什么")
    if report.level not in Level.values:
        raise EventError("事件层级无效")
    if channel != Channel.ASSIGNMENT and report.level != Level.VILLAGE:
        # Every report starts with the village centre; only an assignment from
        # above names the level that must handle it.
        raise EventError("只有上级交办可以指定承办层级")
    allowed = STAFF_CHANNELS.get(Channel(channel))
    if allowed is None:
        return
    if actor is None or actor.role not in allowed:
        raise EventError(f"您的角色不能通过「{Channel(channel).label}」登记事件")
    if channel == Channel.ASSIGNMENT and LEVEL_RANK[Level(report.level)] > CENTRE_RANK[actor.role]:
        raise EventError("只能向本级或下级交办")


def _create_many(
    actor: User | None, channel: str, reports: list[Report], grids: list[Region], ip: str
) -> list[Event]:
    now = timezone.now()
    events = [
        _new_event(actor, channel, report, grid, now)
        for report, grid in zip(reports, grids, strict=True)
    ]
    # Receipts are random in 31**10: a clash fails the unique index, not silently.
    Event.objects.bulk_create(events)
    counts.reported(events)
    label, note = _label(actor, channel), str(Channel(channel).label)
    steps = Step.objects.bulk_create(
        Step(
            event=event,
            action="report",
            to_state=State.REPORTED,
            actor=actor,
            actor_label=label,
            at=now,
            note=note,
            data={"deadline": event.deadline.isoformat() if event.deadline else None},
        )
        for event in events
    )
    for event, step, report in zip(events, steps, reports, strict=True):
        for data, image in report.photos:
            photos_store.photo_attach(event=event, data=data, image=image, step=step)
    journal_write_many(
        [
            Record(
                actor=actor,
                action="event.report",
                object_type="event",
                object_id=event.pk,
                region_path=event.region_path,
                ip=ip,
                data={
                    "channel": channel,
                    "category": event.category.code,
                    "receipt": event.receipt,
                },
            )
            for event in events
        ]
    )
    notify.notify_many(
        (users, event, f"新事件 {event.receipt}：{event.category.name}，{event.description[:40]}")
        for event, users in zip(events, notify.centre_users_many(events), strict=True)
    )
    return events


def _new_event(actor: User | None, channel: str, report: Report, grid: Region, now) -> Event:
    event = Event(
        receipt=new_receipt(),
        category=report.category,
        channel=channel,
        level=report.level,
        urgency=report.category.urgency,
        description=report.description.strip(),
        address=report.address.strip(),
        lng=report.lng,
        lat=report.lat,
        grid=grid,
        region_path=grid.path,
        reporter=actor,
        reporter_name=report.reporter_name.strip(),
        reporter_phone=report.reporter_phone.strip(),
        source_ref=report.source_ref.strip(),
        lead_department=routing.default_department(report.category, grid),
        created_at=now,
        step_started_at=now,
    )
    for name, value in timing.start_clock(event, Clock.ACCEPT, now).items():
        setattr(event, name, value)
    return event


def _label(actor: User | None, channel: str) -> str:
    if actor is None and not channel:
        return "系统"
    if actor is None:
        return "群众" if channel == Channel.PUBLIC else str(Channel(channel).label)
    return f"{actor.label}（{actor.get_role_display()}）"


# ---- transitions ----------------------------------------------------------------

Effect = Callable[[Event, User, dict, dt.datetime], dict]
EFFECTS: dict[str, Effect] = {}
AFTER: dict[str, Callable[[Event, User, dict, dt.datetime], None]] = {}


def effect(action: str):
    def register(function: Effect) -> Effect:
        EFFECTS[action] = function
        return function

    return register


def after(action: str):
    def register(function):
        AFTER[action] = function
        return function

    return register


SYSTEM_ACTIONS = {"escalate", "refer_verify"}


def event_transition(
    *,
    event: Event,
    action: str,
    actor: User | None,
    version: int | None = None,
    reason: str = "",
    ip: str = "",
    photos: Sequence[photos_store.Checked] = (),
    inputs: Mapping[str, Any] | None = None,
    **params: Any,
) -> Event:
    """Take `action` on the event, with the step's photos (checked first) stored in
    its transaction. `inputs`: what a client sent (a form, a JSON body, the app's
    sync), read as the table's row says (lifecycle.read_inputs); `params`: the same
    from trusted code. actor=None is the system itself (the time-limit sweep),
    which may only escalate and hand verification up (SYSTEM_ACTIONS)."""
    transition = TABLE.get(action)
    if transition is None:
        raise EventError(f"未知操作：{action}")
    params = {**read_inputs(transition, inputs or {}), **params}
    if version is not None and version != event.version:
        raise Conflict("该事件已被他人处理过，请刷新后重试")
    if event.state not in transition.sources:
        raise EventError(f"事件当前为「{State(event.state).label}」，不能{transition.label}")
    if actor is not None:
        check_actor(transition, event, actor)
    elif action not in SYSTEM_ACTIONS:
        raise access.OutOfScope(f"系统不能自动「{transition.label}」")
    if transition.needs_reason and len(reason.strip()) < 2:
        raise EventError(f"{transition.label}需要填写理由")
    now = timezone.now()
    params = {**params, "reason": reason.strip()}
    with transaction.atomic():
        changes = EFFECTS.get(action, _no_change)(event, actor, params, now)
        target = changes.pop("state", transition.target)
        if target is not None:
            changes["state"] = target
        if "deadline" not in changes:
            changes |= timing.start_clock(event, transition.clock, now)
        updated = Event.objects.filter(
            pk=event.pk, version=version or event.version, state=event.state
        ).update(**changes, version=F("version") + 1, updated_at=now)
        if not updated:
            raise Conflict("该事件刚被他人处理过，请刷新后重试")
        from_state = event.state
        event.refresh_from_db()
        counts.moved(event, from_state)
        AFTER.get(action, _nothing)(event, actor, params, now)
        step = _record(event, transition, actor, from_state, params, ip, now)
        for data, image in photos:
            photos_store.photo_attach(event=event, data=data, image=image, step=step)
    return event


def _no_change(event, actor, params, now) -> dict:
    return {}


def _nothing(event, actor, params, now) -> None:
    return None


def check_actor(transition: Transition, event: Event, actor: User) -> None:
    allowed = {
        Actor.CENTRE: _is_holding_centre,
        Actor.DEPARTMENT: lambda e, a: _assignment(e, a, AssignmentRole.LEAD) is not None,
        Actor.ASSISTANT: lambda e, a: _assignment(e, a, AssignmentRole.ASSIST) is not None,
        Actor.VERIFIER: duty.may_verify,
        Actor.DISTRICT: lambda e, a: (
            a.role in {Role.DISTRICT_CENTRE, Role.ADMIN}
            and access.in_scope(a, e.region_path, write=True)
        ),
        Actor.REPORTER: lambda e, a: e.reporter_id == a.pk,
    }[transition.actor](event, actor)
    if not allowed:
        raise access.OutOfScope(f"您无权对该事件进行「{transition.label}」")


def _is_holding_centre(event: Event, actor: User) -> bool:
    rank = CENTRE_RANK.get(actor.role)
    return (
        rank is not None
        and rank >= LEVEL_RANK[Level(event.level)]
        and access.in_scope(actor, event.region_path, write=True)
    )


def _assignment(event: Event, actor: User, role: str) -> Assignment | None:
    if actor.role != Role.DEPARTMENT or not actor.department_id:
        return None
    return Assignment.objects.filter(
        event=event, department=actor.department_id, role=role, active=True
    ).first()


# Steps the reporter's follow-up page does not show: whom a department chose, what
# the reporter said on the phone, the verifier handed up inside the centres.
INTERNAL_STEPS = {"assign_handler", "call_back", "refer_verify"}


def _record(
    event: Event,
    transition: Transition,
    actor: User | None,
    from_state: str,
    params: dict,
    ip: str,
    now: dt.datetime,
) -> Step:
    data = {k: v for k, v in params.items() if k != "reason" and v not in (None, "", [])}
    data = json.loads(json.dumps(data, default=str))
    # The deadline in effect from this step on: what the next step is judged by, so
    # the assessment recomputes every on-time figure from the timeline alone.
    deadline = {"deadline": event.deadline.isoformat() if event.deadline else None}
    step = Step.objects.create(
        event=event,
        action=transition.action,
        from_state=from_state,
        to_state=event.state,
        actor=actor,
        actor_label=_label(actor, ""),
        note=params.get("reason", ""),
        public=transition.action not in INTERNAL_STEPS,
        data=data | deadline,
        at=now,
    )
    journal_write(
        actor=actor,
        action=f"event.{transition.action}",
        object_type="event",
        object_id=event.pk,
        region_path=event.region_path,
        reason=params.get("reason", ""),
        ip=ip,
        data={"from": from_state, "to": event.state, **data},
    )
    return step


# ---- what each action changes ---------------------------------------------------


@effect("accept")
def _accept(event, actor, params, now):
    return _urgency(params)


def _urgency(params: dict) -> dict:
    """The dispatcher's urgency, when given (一般 / 紧急 / 特急)."""
    urgency = params.get("urgency")
    if not urgency:
        return {}
    if urgency not in Urgency.values:
        raise EventError("紧急程度应为一般、紧急或特急")
    return {"urgency": urgency}


@after("accept")
def _accepted(event, actor, params, now):
    notify.tell_reporter(event, "您反映的问题已受理")


@after("reject")
def _rejected(event, actor, params, now):
    notify.tell_reporter(event, f"您反映的问题不予受理：{params['reason']}")


@effect("merge")
def _merge(event, actor, params, now):
    original = Event.objects.filter(pk=params.get("original_id")).first()
    # An event outside the actor's scope is answered as one that does not exist:
    # neither its existence nor its state is told.
    if original is None or not access.in_scope(actor, original.region_path):
        raise EventError("没有找到要合并到的原事件")
    if original.pk == event.pk:
        raise EventError("请选择要合并到的原事件")
    if original.state not in routing.DUPLICATE_STATES:
        raise EventError("原事件已办结，不能合并，请单独立案")
    return {"merged_into": original}


@after("merge")
def _merged(event, actor, params, now):
    original = event.merged_into
    notify.tell_reporter(event, f"您反映的问题与事件{original.receipt}相同，已合并办理")
    notify.tell_reporter(original, "又有群众反映了同一问题，已合并到您的事件中办理")
    Step.objects.create(
        event=original,
        action="merged_in",
        to_state=original.state,
        actor=actor,
        actor_label=_label(actor, ""),
        at=now,
        note=f"事件{event.receipt}已合并到本事件",
    )


@effect("dispatch")
def _dispatch(event, actor, params, now):
    lead = _department(params.get("department_id") or event.lead_department_id)
    if lead is None:
        raise EventError("请选择主办部门")
    assist_ids = [i for i in params.get("assist_ids") or [] if i != lead.pk]
    params["assists"] = [_department(i) for i in assist_ids]
    if None in params["assists"]:
        raise EventError("协办部门不存在")
    params["lead"] = lead
    return {"lead_department": lead, **_urgency(params), **_dispatch_deadline(event, params, now)}


def _dispatch_deadline(event: Event, params: dict, now: dt.datetime) -> dict:
    """A handling deadline the dispatcher set, earlier than the category's own: an
    urgent case may be given hours where the category allows days, never more."""
    wanted = params.get("deadline")
    if not wanted:
        return {}
    if isinstance(wanted, str):
        try:
            wanted = parse_moment(wanted)
        except ValueError:
            raise EventError("处置时限的日期时间格式不对") from None
    if timezone.is_naive(wanted):
        wanted = timezone.make_aware(wanted)
    standard = timing.step_deadline(event.category, Clock.HANDLE, now)
    if wanted <= now:
        raise EventError("处置时限应晚于现在")
    if standard and wanted > standard:
        limit = timezone.localtime(standard)
        raise EventError(f"处置时限不能晚于该类事件的规定时限（{limit:%Y-%m-%d %H:%M}）")
    params["deadline"] = wanted.isoformat()
    return {
        "step_started_at": now,
        "deadline": wanted,
        "warn_at": now + (wanted - now) * timing.WARN_SHARE,
        "warned": False,
        "overdue": False,
    }


def _department(department_id) -> Department | None:
    return Department.objects.filter(pk=department_id).first() if department_id else None


@after("dispatch")
def _dispatched(event, actor, params, now):
    event.assignments.filter(active=True).update(active=False)
    lead, assists = params.pop("lead"), params.pop("assists")
    Assignment.objects.create(event=event, department=lead, role=AssignmentRole.LEAD)
    for department in assists:
        Assignment.objects.create(event=event, department=department, role=AssignmentRole.ASSIST)
    params["department"] = lead.name
    params["department_id"] = lead.pk  # the assessment attributes the case by it
    params["assist"] = [d.name for d in assists]
    notify.notify(
        notify.department_users([lead, *assists]),
        event,
        f"派遣事件 {event.receipt}（{event.category.name}），请签收",
    )


@effect("assign_handler")
def _assign_handler(event, actor, params, now):
    handler = User.objects.filter(
        pk=params.get("handler_id"),
        role=Role.DEPARTMENT,
        department_id=actor.department_id,
        is_active=True,
    ).first()
    if handler is None:
        raise EventError("请选择本部门的承办人")
    params["handler"] = handler.label
    return {}


@after("assign_handler")
def _handler_assigned(event, actor, params, now):
    event.assignments.filter(
        department=actor.department_id, role=AssignmentRole.LEAD, active=True
    ).update(handler_id=params["handler_id"])
    handler = User.objects.get(pk=params["handler_id"])
    notify.notify([handler], event, f"事件 {event.receipt} 指定由您承办，请及时处置")


@after("sign")
def _signed(event, actor, params, now):
    event.assignments.filter(department=actor.department_id, active=True).update(signed_at=now)


@after("send_back")
def _sent_back(event, actor, params, now):
    event.assignments.filter(active=True).update(active=False)
    notify.notify(
        notify.centre_users(event),
        event,
        f"事件 {event.receipt} 被{actor.department.name}退回：{params['reason']}",
    )


@effect("request_extension")
def _request_extension(event, actor, params, now):
    days = int(params.get("days") or 0)
    if not 1 <= days <= 30:
        raise EventError("延期天数应在1到30个工作日之间")
    return _request(event, "extension", days)


@effect("request_suspension")
def _request_suspension(event, actor, params, now):
    return _request(event, "suspension", 0)


def _request(event: Event, kind: str, days: int) -> dict:
    if event.pending_request:
        raise EventError("已有待审批的申请")
    return {"pending_request": kind, "pending_days": days}


@after("request_extension")
@after("request_suspension")
def _requested(event, actor, params, now):
    kind = "延期" if event.pending_request == "extension" else "缓办"
    notify.notify(notify.centre_users(event), event, f"事件 {event.receipt} 申请{kind}，待审批")


@effect("approve_request")
def _approve(event, actor, params, now):
    if event.pending_request == "extension":
        deadline = timing.add_days(event.deadline or now, event.pending_days)
        warn_at = now + (deadline - now) * timing.WARN_SHARE
        return {
            "pending_request": "",
            "pending_days": 0,
            "deadline": deadline,
            "warn_at": warn_at,
            "warned": False,
            "overdue": False,
        }
    if event.pending_request == "suspension":
        return {
            "pending_request": "",
            "state": State.SUSPENDED,
            "deadline": None,
            "warn_at": None,
            "warned": False,
            "overdue": False,
        }
    raise EventError("没有待审批的申请")


@effect("deny_request")
def _deny(event, actor, params, now):
    if not event.pending_request:
        raise EventError("没有待审批的申请")
    return {"pending_request": "", "pending_days": 0}


@after("refuse_assist")
def _refused(event, actor, params, now):
    event.assignments.filter(
        department=actor.department_id, role=AssignmentRole.ASSIST, active=True
    ).update(active=False)


@effect("handle")
@effect("resolve_on_spot")
def _handle(event, actor, params, now):
    tier = duty.first_able_tier(event)
    params["verifier"] = duty.TIER_LABELS[tier]
    return {"verify_tier": tier}


@after("handle")
def _handled(event, actor, params, now):
    notify.notify(duty.verifier_users(event), event, f"事件 {event.receipt} 已处置，请现场核查")


@effect("refer_verify")
def _refer_verify(event, actor, params, now):
    if event.verify_tier >= duty.Tier.TOWNSHIP:
        raise EventError("已由乡镇/街道综治中心核查，不能再转")
    tier = duty.first_able_tier(event, start=event.verify_tier + 1)
    params["verifier"] = duty.TIER_LABELS[tier]
    return {"verify_tier": tier}


@after("refer_verify")
def _referred(event, actor, params, now):
    notify.notify(
        duty.verifier_users(event),
        event,
        f"事件 {event.receipt} 已处置，原核查人未能按时核查，转由您现场核查",
    )


@after("resolve_on_spot")
def _resolved(event, actor, params, now):
    _handled(event, actor, params, now)


@effect("verify_pass")
def _verify_pass(event, actor, params, now):
    return {"closed_at": now}


@after("verify_pass")
def _closed(event, actor, params, now):
    notify.tell_reporter(event, "您反映的问题已办结，欢迎评价")


@effect("verify_fail")
def _verify_fail(event, actor, params, now):
    return {"rework_count": F("rework_count") + 1}


@after("verify_fail")
def _rework(event, actor, params, now):
    lead = event.assignments.filter(active=True, role=AssignmentRole.LEAD).first()
    if lead:
        notify.notify(
            notify.department_users([lead.department]),
            event,
            f"事件 {event.receipt} 核查未通过，需返工：{params['reason']}",
        )


@effect("call_back")
def _call_back(event, actor, params, now):
    reached = params.get("reached")
    if reached is None:
        raise EventError("请选择是否联系上反映人")
    params["reached"] = bool(reached)
    return {"called_back_at": now}


@effect("evaluate")
def _evaluate(event, actor, params, now):
    if event.reporter_phone and event.called_back_at is None:
        raise EventError("请先回访反映人，再评价归档")
    score = params.get("score")
    if score not in (1, 2, 3, 4, 5):
        raise EventError("评分应为1到5分")
    return {"centre_score": score}


@effect("escalate")
def _escalate(event, actor, params, now):
    above = LEVEL_ABOVE.get(Level(event.level))
    if above is None:
        raise EventError("事件已在区县一级，不能再上报")
    params["to_level"] = above
    # Waiting to be accepted or dispatched: the new centre gets a fresh clock. Already
    # with a department: the handling deadline stands.
    waiting = {
        State.REPORTED: Clock.ACCEPT,
        State.ACCEPTED: Clock.DISPATCH,
        State.RETURNED: Clock.DISPATCH,
    }
    clock = waiting.get(State(event.state), Clock.KEEP)
    return {"level": above, **timing.start_clock(event, clock, now)}


@after("escalate")
def _escalated(event, actor, params, now):
    notify.notify(
        notify.centre_users(event), event, f"下级上报事件 {event.receipt}：{params['reason']}"
    )


@effect("supervise")
def _supervise(event, actor, params, now):
    days = int(params.get("days") or 3)
    if not 1 <= days <= 30:
        raise EventError("督办期限应在1到30个工作日之间")
    return {"supervised": True, "supervise_deadline": timing.add_days(now, days)}


@after("supervise")
def _supervised(event, actor, params, now):
    departments = [a.department for a in event.assignments.filter(active=True)]
    users = notify.centre_users(event) + notify.department_users(departments)
    notify.notify(users, event, f"区综治中心督办事件 {event.receipt}：{params['reason']}")


# ---- the resident's rating ------------------------------------------------------


def event_rate(
    *, event: Event, satisfaction: int, comment: str = "", code: str = "", ip: str = ""
) -> Event:
    """The reporter's satisfaction, from the follow-up page: once, after closure, by
    the receipt's holder with the code texted to the report's phone, if it gave one."""
    if event.state not in (State.CLOSED, State.ARCHIVED):
        raise EventError("事件办结后才能评价")
    if satisfaction not in (1, 2, 3, 4, 5):
        raise EventError("请选择1到5星")
    if event.satisfaction is not None:
        raise EventError("您已经评价过了")
    rating.code_check(event, code)
    with transaction.atomic():
        updated = Event.objects.filter(pk=event.pk, satisfaction__isnull=True).update(
            satisfaction=satisfaction
        )
        if not updated:
            raise EventError("您已经评价过了")
        Step.objects.create(
            event=event,
            action="rate",
            from_state=event.state,
            to_state=event.state,
            actor_label="群众",
            note=comment[:500],
            data={"satisfaction": satisfaction},
            at=timezone.now(),
        )
        journal_write(
            actor=None,
            action="event.rate",
            object_type="event",
            object_id=event.pk,
            region_path=event.region_path,
            ip=ip,
            data={"satisfaction": satisfaction},
        )
    event.refresh_from_db()
    return event
