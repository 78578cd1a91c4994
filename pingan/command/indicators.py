"""The assessment indicators (评价考核), computed from each event's timeline alone.

Every step records the deadline in effect after it (events.transitions._record), so
whether a step was on time is the comparison of its time with the deadline the
step before it left. Nothing here reads a stored figure: the same events always
give the same numbers, and each number comes with the events behind it.

For a period [start, end):
- 及时受理率: the centre's first decision (立案, 不予受理 or 合并) on an event, made in
  the period, by the acceptance deadline; of all first decisions in the period.
- 及时派遣率: dispatches (派遣, also after a 退回) in the period made by the deadline.
- 按期处置率: 处置完毕 steps in the period taken by the handling deadline (as extended).
- 应结案: events 立案 before the end of the period, not voided, not closed before it
  began, and either closed in it or due: an open event whose deadline is still
  ahead (of the period's end, or of now for the running period) is nobody's
  failure yet and stays out; 缓办: those of them suspended at the end of the period.
- 结案率 = 结案 ÷ (应结案 − 缓办), where 结案 = closed (核查通过) in the period.
- 按期结案率 = 按期结案 ÷ (应结案 − 缓办): closed in the period with the last 处置完毕 on time.
- 返工率 = 核查不通过 ÷ all 核查 in the period; a case that fails twice counts twice.
- 群众满意率: ratings given in the period of 4 or 5 stars, of all ratings.
- 上报数: events reported in the period; 有效上报率: of those decided, the share 立案.
- 按时核查率: 核查 steps in the period taken by the verification deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.dateparse import parse_datetime

from pingan.events.models import State


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    lower_is_better: bool = False
    count_only: bool = False


INDICATORS = [
    Indicator("accept_on_time", "及时受理率"),
    Indicator("dispatch_on_time", "及时派遣率"),
    Indicator("handle_on_time", "按期处置率"),
    Indicator("close_on_time", "按期结案率"),
    Indicator("closed", "结案率"),
    Indicator("rework", "返工率", lower_is_better=True),
    Indicator("satisfied", "群众满意率"),
    Indicator("reported", "上报数", count_only=True),
    Indicator("valid_report", "有效上报率"),
    Indicator("verify_on_time", "按时核查率"),
]
BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
DECISIONS = {"accept", "reject", "merge"}
VERIFICATIONS = {"verify_pass", "verify_fail"}
SATISFIED = 4


@dataclass
class Step:
    """The part of an events.Step the indicators read."""

    action: str
    to_state: str
    at: dt.datetime
    actor_id: int | None
    department_id: int | None  # the actor's department, for department handlers
    data: dict


@dataclass
class Case:
    """One event with its timeline (every step before the end of the period)."""

    event_id: int
    region_path: str
    reporter_id: int | None
    created_at: dt.datetime
    steps: list[Step]


@dataclass(frozen=True)
class Count:
    """One event's part in one indicator: in the denominator, and in the numerator
    if `hit`; attributed to an area, a department and a person."""

    indicator: str
    event_id: int
    hit: bool
    region_path: str
    department_id: int | None
    person_id: int | None


@dataclass
class _Timeline:
    """What walking a case's steps in order finds."""

    deadline: dt.datetime | None = None
    decided: bool = False
    accepted_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    voided: bool = False
    state: str = State.REPORTED
    lead_department: int | None = None
    last_handle: tuple[bool, int | None, int | None] | None = None  # on time, dept, person
    counts: list[Count] = field(default_factory=list)


def counts(
    cases: Iterable[Case], start: dt.datetime, end: dt.datetime, as_of: dt.datetime | None = None
) -> Iterator[Count]:
    """Every event's contributions to every indicator in [start, end), judged as of
    `as_of` (now, for a period still running; its end by default)."""
    cutoff = min(end, as_of) if as_of else end
    for case in cases:
        yield from _case_counts(case, start, end, cutoff)


def _case_counts(
    case: Case, start: dt.datetime, end: dt.datetime, cutoff: dt.datetime
) -> list[Count]:
    t = _Timeline()

    def within(at: dt.datetime) -> bool:
        return start <= at < end

    def add(indicator, hit, department_id=None, person_id=None):
        t.counts.append(
            Count(indicator, case.event_id, hit, case.region_path, department_id, person_id)
        )

    if within(case.created_at):
        add("reported", True, person_id=case.reporter_id)
    for step in sorted(case.steps, key=lambda s: s.at):
        if step.at >= end:
            break
        on_time = t.deadline is None or step.at <= t.deadline
        _judge(t, step, on_time, within(step.at), add)
        if step.to_state:
            t.state = step.to_state
        if "deadline" in step.data:
            t.deadline = _time(step.data["deadline"])
    _closure(t, case, start, cutoff, add)
    return t.counts


def _judge(t: _Timeline, step: Step, on_time: bool, in_period: bool, add) -> None:
    action = step.action
    if action in DECISIONS and not t.decided:
        t.decided = True
        if in_period:  # the centre's work: assessed by area and person, not department
            add("accept_on_time", on_time, person_id=step.actor_id)
    if action == "accept" and t.accepted_at is None:
        t.accepted_at = step.at
    if action == "dispatch":
        t.lead_department = step.data.get("department_id")
        if in_period:
            add("dispatch_on_time", on_time, person_id=step.actor_id)
    if action == "handle":
        t.last_handle = (on_time, step.department_id or t.lead_department, step.actor_id)
        if in_period:
            add("handle_on_time", on_time, t.last_handle[1], step.actor_id)
    if action in VERIFICATIONS and in_period:
        _, department, handler = t.last_handle or (True, t.lead_department, None)
        add("rework", action == "verify_fail", department, handler)
        add("verify_on_time", on_time, department, step.actor_id)
    if action == "resolve_on_spot":  # 就地解决: the centre handled it itself
        t.last_handle = (on_time, None, step.actor_id)
    if action == "verify_pass" and t.closed_at is None:
        t.closed_at = step.at
    if action == "void":
        t.voided = True
    if action == "rate" and in_period:
        department, handler = (t.last_handle or (True, t.lead_department, None))[1:]
        add("satisfied", step.data.get("satisfaction", 0) >= SATISFIED, department, handler)


def _closure(t: _Timeline, case: Case, start: dt.datetime, cutoff: dt.datetime, add) -> None:
    """结案率 and 按期结案率 over the cases due in the period, less those suspended."""
    if t.decided:
        valid = t.accepted_at is not None
        if start <= case.created_at < cutoff:
            add("valid_report", valid, person_id=case.reporter_id)
    if t.accepted_at is None or t.voided:
        return
    if t.closed_at is not None and t.closed_at < start:
        return
    if t.state == State.SUSPENDED:
        return
    closed = t.closed_at is not None
    if not closed and t.deadline is not None and t.deadline > cutoff:
        return  # not due yet: neither closed nor late
    handled_on_time, department, handler = t.last_handle or (False, t.lead_department, None)
    add("closed", closed, department, handler)
    add("close_on_time", closed and handled_on_time, department, handler)


def _time(value) -> dt.datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass
class Figure:
    hits: int = 0
    total: int = 0
    hit_ids: list[int] = field(default_factory=list)
    all_ids: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.hits / self.total if self.total else None


def tally(found: Iterable[Count]) -> dict[str, Figure]:
    figures = {indicator.code: Figure() for indicator in INDICATORS}
    for count in found:
        figure = figures[count.indicator]
        figure.total += 1
        figure.all_ids.append(count.event_id)
        if count.hit:
            figure.hits += 1
            figure.hit_ids.append(count.event_id)
    return figures


DEFAULT_WEIGHTS = {
    "accept_on_time": 10,
    "dispatch_on_time": 10,
    "handle_on_time": 20,
    "close_on_time": 20,
    "closed": 15,
    "rework": 10,
    "satisfied": 15,
}


def score(figures: dict[str, Figure], weights: dict[str, float]) -> float | None:
    """The weighted score out of 100, over the indicators that have cases; a rate
    where lower is better (返工率) counts as its complement."""
    total = weight_sum = 0.0
    for code, weight in weights.items():
        rate = figures[code].rate
        if rate is None or not weight:
            continue
        total += weight * ((1 - rate) if BY_CODE[code].lower_is_better else rate)
        weight_sum += weight
    return round(100 * total / weight_sum, 1) if weight_sum else None
