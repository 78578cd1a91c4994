"""Taking in reports from every channel: one report or a phone's whole offline
queue, each checked, located and stored with its first step, its photos and the
journal row in one transaction; a replayed client UUID answered with its first
result. Once `event_report` returns, the receipt shown is never lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import CENTRE_RANK, CENTRE_STAFF, GRID_ROLES, Role, User
from pingan.audit.services import Record, journal_write_many
from pingan.events import counts, notify, routing, timing
from pingan.events import photos as photos_store
from pingan.events.errors import Conflict, EventError
from pingan.events.lifecycle import (
    LEVEL_RANK,
    Clock,
)
from pingan.events.models import (
    Category,
    Channel,
    Event,
    Level,
    State,
    Step,
    Submission,
)
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.receipts import new_receipt
from pingan.lib.text import InvalidText, clean_text, column_length
from pingan.regions.models import Region

STAFF_CHANNELS: dict[str, frozenset[str]] = {
    Channel.GRID_WORKER: GRID_ROLES,
    Channel.HOTLINE: CENTRE_STAFF,
    # 视频巡查 is done by the centres and, as the seed counts it, by grid workers.
    Channel.VIDEO: CENTRE_STAFF | GRID_ROLES,
    Channel.ASSIGNMENT: CENTRE_STAFF - {Role.VILLAGE_CENTRE},
    # A damaged 部件 reported by whoever found it, in one tap.
    Channel.FACILITY: GRID_ROLES | CENTRE_STAFF | {Role.DEPARTMENT},
    # A dispute registered by 排查 goes on to be resolved through the closed loop.
    Channel.SCREENING: GRID_ROLES | CENTRE_STAFF,
}
# What the platform itself may report, with no one signed in: a 部件 that reports
# its own failure (a camera silent too long), and what a camera's alarm saw.
SYSTEM_CHANNELS = frozenset({Channel.FACILITY, Channel.VIDEO})


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
    # The department that fixes it, when the report knows (a 部件's 养护 unit);
    # else the category's usual department for the grid.
    department_id: int | None = None
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


CATEGORY_KEY = "category:{}"


def category_for(code: str) -> Category:
    key = CATEGORY_KEY.format(code)
    category: Category | None = cache.get(key)
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


def forget(sender: type, instance: Category, **kwargs: object) -> None:
    cache.delete(CATEGORY_KEY.format(instance.code))


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
    if allowed is None or (actor is None and channel in SYSTEM_CHANNELS):
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
    label, note = actor_label(actor, channel), str(Channel(channel).label)
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


def _new_event(
    actor: User | None, channel: str, report: Report, grid: Region, now: dt.datetime
) -> Event:
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
        lead_department_id=report.department_id
        or getattr(routing.default_department(report.category, grid), "pk", None),
        created_at=now,
        step_started_at=now,
    )
    for name, value in timing.start_clock(event, Clock.ACCEPT, now).items():
        setattr(event, name, value)
    return event


def actor_label(actor: User | None, channel: str) -> str:
    if actor is None and not channel:
        return "系统"
    if actor is None:
        return "群众" if channel == Channel.PUBLIC else str(Channel(channel).label)
    return f"{actor.label}（{actor.get_role_display()}）"
