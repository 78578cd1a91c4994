"""The lifecycle in one table: for each action, the states it may start from, the
state it leads to (None: the state stays), who may take it, which clock starts,
and whether a reason is required. Services check every transition against it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pingan.events import handover
from pingan.events.duty import Tier
from pingan.events.models import Level, Urgency
from pingan.events.models import State as S
from pingan.lib.dates import parse_moment
from pingan.lib.errors import DomainError

StrOrPromise = str | Promise


class Actor(StrEnum):
    CENTRE = "centre"  # a 综治中心 holding the event (or above it) in whose subtree it lies
    DEPARTMENT = "department"  # the lead department
    ASSISTANT = "assistant"  # an assisting (协同) department
    VERIFIER = "verifier"  # the grid worker or grid leader of the place, or the reporter
    DISTRICT = "district"  # the district centre
    REPORTER = "reporter"  # whoever reported it
    SYSTEM = "system"  # the platform alone, never a person (a device that recovered)


class Clock(StrEnum):
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    VERIFY = "verify"
    KEEP = "keep"  # the running deadline stays
    STOP = "stop"  # no deadline any more


@dataclass(frozen=True)
class Input:
    """One input an action takes besides the reason: what the web form shows, the
    API's body and the app's sync carry, read by `read_inputs` for all three.
    `source` says where its choices come from (the form draws them)."""

    name: str
    label: StrOrPromise
    kind: str  # "number", "numbers", "choice", "moment" or "yes_no"
    source: str = ""  # departments, handlers, similar, urgency, days, score, facility
    choices: tuple[str, ...] = ()
    labels: tuple[StrOrPromise, ...] = ()  # of the choices, when the form lists them

    @property
    def options(self) -> list[tuple[str, StrOrPromise]]:
        return list(zip(self.choices, self.labels, strict=True))


URGENCY = Input("urgency", _("紧急程度"), "choice", "urgency", tuple(Urgency.values))
DAYS = Input("days", _("工作日"), "number", "days")
INPUTS: dict[str, tuple[Input, ...]] = {
    "accept": (URGENCY,),
    "merge": (Input("original_id", _("原事件"), "number", "similar"),),
    "dispatch": (
        Input("department_id", _("主办部门"), "number", "departments"),
        Input("assist_ids", _("协办部门"), "numbers", "departments"),
        URGENCY,
        Input("deadline", _("处置时限（可缩短，不填按类别规定）"), "moment"),
    ),
    "assign_handler": (Input("handler_id", _("承办人"), "number", "handlers"),),
    "assign_down": (Input("due", _("交办时限（下级平台须在此前办结，可不填）"), "moment"),),
    "request_extension": (DAYS,),
    "supervise": (DAYS,),
    "call_back": (Input("reached", _("是否联系上"), "yes_no"),),
    "evaluate": (Input("score", _("评分"), "number", "score"),),
}


class InputError(DomainError):
    """An action's input that is not of its kind; the message is Chinese."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[S]
    target: S | None
    actor: Actor
    clock: Clock
    needs_reason: bool = False

    @property
    def inputs(self) -> tuple[Input, ...]:
        return INPUTS.get(self.action, ())

    @property
    def takes_photo(self) -> bool:
        return self.action in PHOTO_ACTIONS

    @property
    def reason_prompt(self) -> str:
        return str(REASON_PROMPTS.get(self.action, _("理由")))


# What the reason is called where it is more than a reason.
REASON_PROMPTS = {
    "handle": _("处置情况"),
    "resolve_on_spot": _("处置情况"),
    "call_back": _("回访情况：群众怎么说"),
}
# Steps whose photo shows what was found or done on the spot.
PHOTO_ACTIONS = frozenset({"handle", "resolve_on_spot", "verify_pass", "verify_fail"})


def read_inputs(transition: Transition, data: Mapping[str, Any]) -> dict[str, Any]:
    """The action's inputs from a form (a QueryDict), a JSON body or the app's
    sync, each converted to its kind; what the action does not take is ignored,
    what is empty is left out (the effect then uses its default)."""
    found: dict[str, Any] = {}
    for field in transition.inputs:
        if field.kind == "numbers":
            raw = data.getlist(field.name) if hasattr(data, "getlist") else data.get(field.name)
            values = [v for v in (raw or []) if v not in (None, "")]
            found[field.name] = [_number(field, v) for v in values]
            continue
        value = data.get(field.name)
        if value in (None, ""):
            continue
        found[field.name] = _read(field, value)
    return found


def _read(field: Input, value: Any) -> Any:
    if field.kind == "number":
        return _number(field, value)
    if field.kind == "choice":
        if str(value) not in field.choices:
            raise InputError(f"{field.label}的取值无效")
        return str(value)
    if field.kind == "moment":
        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_moment(str(value))
        except ValueError:
            raise InputError(f"{field.label}的日期时间格式不对") from None
    if field.kind == "yes_no":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "0", "false"):
            return str(value).lower() in ("1", "true")
        raise InputError(f"请选择{field.label}")
    raise InputError(f"未知的输入：{field.name}")


def _number(field: Input, value: Any) -> int:
    if isinstance(value, bool):
        raise InputError(f"{field.label}应为数字")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(f"{field.label}应为数字") from None


# The levels of centre, lowest 0, and the one above each (上报上级 goes there).
LEVEL_RANK = {Level.VILLAGE: 0, Level.TOWNSHIP: 1, Level.DISTRICT: 2, Level.CITY: 3}
LEVEL_ABOVE = {Level.VILLAGE: Level.TOWNSHIP, Level.TOWNSHIP: Level.DISTRICT}

OPEN = frozenset(
    {S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.RETURNED, S.HANDLING, S.SUSPENDED, S.HANDLED}
)


def _t(action, label, sources, target, actor, clock, needs_reason=False) -> Transition:
    return Transition(action, label, frozenset(sources), target, actor, clock, needs_reason)


TABLE: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("accept", "立案", {S.REPORTED}, S.ACCEPTED, Actor.CENTRE, Clock.DISPATCH),
        _t("reject", "不予受理", {S.REPORTED}, S.REJECTED, Actor.CENTRE, Clock.STOP, True),
        _t("merge", "合并到原事件", {S.REPORTED, S.ACCEPTED}, S.MERGED, Actor.CENTRE, Clock.STOP),
        _t(
            "resolve_on_spot", "就地解决", {S.ACCEPTED}, S.HANDLED, Actor.CENTRE, Clock.VERIFY, True
        ),
        _t("dispatch", "派遣", {S.ACCEPTED, S.RETURNED}, S.DISPATCHED, Actor.CENTRE, Clock.HANDLE),
        _t(
            "assign_handler",
            "指定承办人",
            {S.DISPATCHED, S.HANDLING},
            None,
            Actor.DEPARTMENT,
            Clock.KEEP,
        ),
        _t("sign", "签收", {S.DISPATCHED}, S.HANDLING, Actor.DEPARTMENT, Clock.KEEP),
        _t(
            "send_back",
            "退回（非本部门职责）",
            {S.DISPATCHED},
            S.RETURNED,
            Actor.DEPARTMENT,
            Clock.DISPATCH,
            True,
        ),
        _t("request_extension", "申请延期", {S.HANDLING}, None, Actor.DEPARTMENT, Clock.KEEP, True),
        _t(
            "request_suspension", "申请缓办", {S.HANDLING}, None, Actor.DEPARTMENT, Clock.KEEP, True
        ),
        _t("approve_request", "批准申请", {S.HANDLING}, None, Actor.CENTRE, Clock.KEEP),
        _t("deny_request", "驳回申请", {S.HANDLING}, None, Actor.CENTRE, Clock.KEEP, True),
        _t("resume", "恢复处置", {S.SUSPENDED}, S.HANDLING, Actor.CENTRE, Clock.HANDLE),
        _t(
            "assist_note",
            "协同反馈",
            {S.DISPATCHED, S.HANDLING},
            None,
            Actor.ASSISTANT,
            Clock.KEEP,
            True,
        ),
        _t(
            "refuse_assist",
            "拒绝协同",
            {S.DISPATCHED, S.HANDLING},
            None,
            Actor.ASSISTANT,
            Clock.KEEP,
            True,
        ),
        _t("handle", "处置完毕", {S.HANDLING}, S.HANDLED, Actor.DEPARTMENT, Clock.VERIFY, True),
        _t("verify_pass", "核查通过", {S.HANDLED}, S.CLOSED, Actor.VERIFIER, Clock.STOP),
        _t(
            "verify_fail",
            "核查不通过（返工）",
            {S.HANDLED},
            S.HANDLING,
            Actor.VERIFIER,
            Clock.HANDLE,
            True,
        ),
        _t("refer_verify", "转上一级核查", {S.HANDLED}, None, Actor.CENTRE, Clock.VERIFY, True),
        _t("call_back", "回访", {S.CLOSED}, None, Actor.CENTRE, Clock.KEEP, True),
        _t("evaluate", "评价归档", {S.CLOSED}, S.ARCHIVED, Actor.CENTRE, Clock.STOP),
        _t(
            "escalate",
            "上报上级",
            {S.REPORTED, S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.HANDLING},
            None,
            Actor.CENTRE,
            Clock.KEEP,
            True,
        ),
        _t(
            "assign_down",
            "交办下级平台",
            {S.REPORTED, S.ACCEPTED, S.RETURNED},
            None,
            Actor.CENTRE,
            Clock.KEEP,
            True,
        ),
        _t("supervise", "督办", OPEN, None, Actor.DISTRICT, Clock.KEEP, True),
        _t(
            "withdraw",
            "撤回",
            {S.REPORTED, S.ACCEPTED},
            S.WITHDRAWN,
            Actor.REPORTER,
            Clock.STOP,
            True,
        ),
        _t("void", "作废", OPEN, S.VOIDED, Actor.DISTRICT, Clock.STOP, True),
        # A camera's maintenance event closes itself when the camera is back online.
        _t("restored", "设备恢复，系统办结", OPEN, S.CLOSED, Actor.SYSTEM, Clock.STOP, True),
    ]
}

FINAL = frozenset({S.REJECTED, S.MERGED, S.ARCHIVED, S.WITHDRAWN, S.VOIDED})


# Conditions beyond the state: what makes sense to offer on the event page.
GUARDS = {
    "approve_request": lambda event: bool(event.pending_request),
    "deny_request": lambda event: bool(event.pending_request),
    "request_extension": lambda event: not event.pending_request,
    "request_suspension": lambda event: not event.pending_request,
    "supervise": lambda event: not event.supervised,
    "assign_down": lambda event: bool(handover.lower(event)),
    # Beyond the district only to a linked city; the city is the top.
    "escalate": lambda event: (
        event.level in LEVEL_ABOVE or (event.level == Level.DISTRICT and bool(handover.upper()))
    ),
    "refer_verify": lambda event: event.verify_tier < Tier.TOWNSHIP,
    "restored": lambda event: False,  # the system's alone: never offered on a page
    # 回访 first, where the report left a phone to call.
    "evaluate": lambda event: not event.reporter_phone or event.called_back_at is not None,
}


def available(event) -> list[Transition]:
    return [
        t
        for t in TABLE.values()
        if event.state in t.sources
        and (not event.held_by or t.action in handover.ACROSS_ACTIONS)
        and GUARDS.get(t.action, lambda e: True)(event)
    ]


def step_label(action: str) -> str:
    labels = {"report": "上报", "rate": "群众评价", "merged_in": "合并了相同的反映"}
    transition = TABLE.get(action)
    return labels.get(action) or (transition.label if transition else action)
