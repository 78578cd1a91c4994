"""Half a year of finished events behind the demo's live ones, so the overview,
the trend, the assessment and the big screen have a past to show. Each event gets
a whole timeline (上报 → 立案 → 派遣 → 签收 → 处置 → 核查 → 评价), mostly on time,
with some late steps, reworks, rejections and suspensions, and the deadlines each
step left, as the real services record them. Written in bulk: a real district
imports its history the same way."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from django.utils import timezone

from pingan.accounts.models import Role, User
from pingan.bulk import bulk_insert
from pingan.events import routing, timing
from pingan.events.lifecycle import Clock
from pingan.events.models import Category, Channel, Event, State, Step
from pingan.events.services import new_receipt
from pingan.regions.models import Region
from pingan.registry.models import Household

EVENTS = 4200
DAYS = 180
CHANNELS = [
    (Channel.GRID_WORKER, 55),
    (Channel.PUBLIC, 18),
    (Channel.HOTLINE, 15),
    (Channel.VIDEO, 8),
    (Channel.ASSIGNMENT, 4),
]
# What residents and workers write, per category: a 林业 event reads like forestry.
DESCRIPTIONS: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "event_texts.json").read_text(encoding="utf-8")
)


def build(rng: random.Random, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    categories = list(Category.objects.filter(parent__isnull=False, active=True))
    grids = list(Region.objects.filter(level="grid", active=True).defer("boundary"))
    workers = {u.region_id: u for u in User.objects.filter(role=Role.GRID_WORKER)}
    homes = _points_by_grid()
    events, timelines = [], []
    for _ in range(EVENTS):
        grid = rng.choice(grids)
        category = rng.choice(categories)
        channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
        reported = _working_moment(now - dt.timedelta(days=7 + rng.random() * (DAYS - 7)), rng)
        reporter = workers.get(grid.pk) if channel == Channel.GRID_WORKER else None
        lng, lat = rng.choice(homes.get(grid.pk) or [(101.9, 36.5)])
        event = Event(
            receipt=new_receipt(),
            category=category,
            channel=channel,
            description=rng.choice(DESCRIPTIONS[category.code]),
            lng=lng,
            lat=lat,
            grid=grid,
            region_path=grid.path,
            reporter=reporter,
            lead_department=routing.default_department(category, grid),
            created_at=reported,
            step_started_at=reported,
        )
        steps = _timeline(event, reporter, rng, now)
        events.append(event)
        timelines.append(steps)
    Event.objects.bulk_create(events, batch_size=1000)
    for event, steps in zip(events, timelines, strict=True):
        for step in steps:
            step.event_id = event.pk
    bulk_insert([step for steps in timelines for step in steps])
    return len(events)


def _points_by_grid() -> dict[int, list[tuple[float, float]]]:
    found: dict[int, list[tuple[float, float]]] = {}
    rows = Household.objects.filter(lng__isnull=False).values_list("grid_id", "lng", "lat")
    for grid_id, lng, lat in rows:
        found.setdefault(grid_id, []).append((float(lng or 0), float(lat or 0)))
    return found


def _working_moment(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    local = timezone.localtime(moment).replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
    return timing.add_hours(local, 0.01)  # onto the next working minute


class _Clock:
    """Walks an event through its steps, recording each with the deadline it left."""

    def __init__(self, event: Event, rng: random.Random):
        self.event, self.rng = event, rng
        self.at = event.created_at
        self.deadline = timing.step_deadline(event.category, Clock.ACCEPT, self.at)
        self.steps: list[Step] = []
        self.record("report", State.REPORTED, actor=event.reporter)

    def later(self, hours_on_time: float, late_share: float, limit: dt.datetime | None) -> None:
        """Move on: usually within the step's time limit, sometimes past it."""
        if limit is not None and self.rng.random() < late_share:
            self.at = limit + dt.timedelta(hours=self.rng.uniform(1, 30))
        else:
            self.at = timing.add_hours(self.at, self.rng.uniform(0.2, hours_on_time))
            if limit is not None and self.at > limit:
                self.at = limit - dt.timedelta(minutes=self.rng.randint(5, 50))

    def record(self, action, state, clock=None, actor=None, note="", **data) -> None:
        if clock is not None:
            self.deadline = timing.step_deadline(self.event.category, clock, self.at)
        self.event.state = state
        self.steps.append(
            Step(
                action=action,
                from_state=self.steps[-1].to_state if self.steps else "",
                to_state=state,
                actor=actor,
                actor_label=actor.label if actor else "综治中心",
                note=note,
                data={**data, "deadline": self.deadline.isoformat() if self.deadline else None},
                at=self.at,
            )
        )


def _timeline(event: Event, reporter: User | None, rng: random.Random, now) -> list[Step]:
    clock = _Clock(event, rng)
    category = event.category
    clock.later(category.accept_hours, 0.06, clock.deadline)
    if rng.random() < 0.04:
        clock.deadline = None
        clock.record("reject", State.REJECTED, note="不属于受理范围")
        return _finish(event, clock)
    clock.record("accept", State.ACCEPTED, Clock.DISPATCH)
    clock.later(category.dispatch_hours, 0.08, clock.deadline)
    department = event.lead_department
    clock.record(
        "dispatch",
        State.DISPATCHED,
        Clock.HANDLE,
        department_id=department.pk if department else None,
        department=department.name if department else "",
    )
    clock.later(4, 0.0, None)
    clock.record("sign", State.HANDLING)
    for attempt in range(3):
        clock.later(category.handle_days * 8, 0.12 if attempt == 0 else 0.3, clock.deadline)
        clock.record("handle", State.HANDLED, Clock.VERIFY, note="已处置完毕")
        clock.later(category.verify_hours, 0.1, clock.deadline)
        if attempt < 2 and rng.random() < 0.1:
            event.rework_count += 1
            clock.record(
                "verify_fail", State.HANDLING, Clock.HANDLE, actor=reporter, note="未处理到位"
            )
            continue
        break
    clock.deadline = None
    clock.record("verify_pass", State.CLOSED, actor=reporter)
    event.closed_at = clock.at
    if rng.random() < 0.6:
        clock.later(24, 0.0, None)
        event.satisfaction = rng.choices([5, 4, 3, 2, 1], [55, 28, 9, 5, 3])[0]
        clock.record("rate", State.CLOSED, satisfaction=event.satisfaction)
    if clock.at < now - dt.timedelta(days=3):  # a centre calls back and evaluates within days
        clock.later(8, 0.0, None)
        clock.record("evaluate", State.ARCHIVED, score=rng.choice([4, 5]))
    return _finish(event, clock)


def _finish(event: Event, clock: _Clock) -> list[Step]:
    event.version = len(clock.steps)
    event.deadline = event.warn_at = None
    event.step_started_at = clock.at
    return clock.steps
