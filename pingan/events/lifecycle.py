"""The lifecycle in one table: for each action, the states it may start from, the
state it leads to (None: the state stays), who may take it, which clock starts,
and whether a reason is required. Services check every transition against it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pingan.events.duty import Tier
from pingan.events.models import State as S


class Actor(StrEnum):
    CENTRE = "centre"  # a 综治中心 holding the event (or above it) in whose subtree it lies
    DEPARTMENT = "department"  # the lead department
    ASSISTANT = "assistant"  # an assisting (协同) department
    VERIFIER = "verifier"  # the grid worker or grid leader of the place, or the reporter
    DISTRICT = "district"  # the district centre
    REPORTER = "reporter"  # whoever reported it


class Clock(StrEnum):
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    HANDLE = "handle"
    VERIFY = "verify"
    KEEP = "keep"  # the running deadline stays
    STOP = "stop"  # no deadline any more


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[S]
    target: S | None
    actor: Actor
    clock: Clock
    needs_reason: bool = False


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
    "refer_verify": lambda event: event.verify_tier < Tier.TOWNSHIP,
    # 回访 first, where the report left a phone to call.
    "evaluate": lambda event: not event.reporter_phone or event.called_back_at is not None,
}


def available(event) -> list[Transition]:
    return [
        t
        for t in TABLE.values()
        if event.state in t.sources and GUARDS.get(t.action, lambda e: True)(event)
    ]


def step_label(action: str) -> str:
    labels = {"report": "上报", "rate": "群众评价", "merged_in": "合并了相同的反映"}
    transition = TABLE.get(action)
    return labels.get(action) or (transition.label if transition else action)
