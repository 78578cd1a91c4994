"""Each transition of the lifecycle table, and the resident's rating. A transition
checks the table, the actor's role and scope and the event's current state and
version, then writes the event, its timeline step (with its photos) and a journal
row in one transaction. A stale or concurrent transition is refused (Conflict),
never silently applied over another."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import CENTRE_RANK, Department, Role, User
from pingan.audit.services import journal_write
from pingan.events import counts, duty, handover, notify, rating, routing, signals, timing
from pingan.events import photos as photos_store
from pingan.events.errors import Conflict, EventError
from pingan.events.intake import actor_label
from pingan.events.lifecycle import (
    LEVEL_ABOVE,
    LEVEL_RANK,
    TABLE,
    Actor,
    Clock,
    Transition,
    read_inputs,
)
from pingan.events.models import (
    Assignment,
    AssignmentRole,
    Event,
    Level,
    State,
    Step,
    Urgency,
)
from pingan.lib.dates import parse_moment

# ---- transitions ----------------------------------------------------------------


@dataclass
class Outcome:
    """What an action's effect decided: new values for the event's columns, and what
    its step records besides the inputs (the names shown on the timeline, what was
    chosen). An effect returns it; nothing is passed back through its inputs."""

    changes: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)


Inputs = Mapping[str, Any]  # the step's inputs as read (lifecycle.read_inputs), and its reason
Effect = Callable[[Event, User, Inputs, dt.datetime], Outcome]
After = Callable[[Event, User, Inputs, Outcome, dt.datetime], None]
EFFECTS: dict[str, Effect] = {}
AFTER: dict[str, After] = {}


def effect(action: str) -> Callable[[Effect], Effect]:
    def register(function: Effect) -> Effect:
        EFFECTS[action] = function
        return function

    return register


def after(action: str) -> Callable[[After], After]:
    def register(function: After) -> After:
        AFTER[action] = function
        return function

    return register


SYSTEM_ACTIONS = {"escalate", "refer_verify", "restored"}


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
    given = {**read_inputs(transition, inputs or {}), **params}
    if version is not None and version != event.version:
        raise Conflict("该事件已被他人处理过，请刷新后重试")
    if event.state not in transition.sources:
        raise EventError(f"事件当前为「{State(event.state).label}」，不能{transition.label}")
    if event.held_by and action not in handover.ACROSS_ACTIONS:
        raise EventError(f"该事件现由{handover.name(event.held_by)}办理，本级只能查看和督办")
    if actor is not None:
        check_actor(transition, event, actor)
    elif action not in SYSTEM_ACTIONS:
        raise access.OutOfScope(f"系统不能自动「{transition.label}」")
    if transition.needs_reason and len(reason.strip()) < 2:
        raise EventError(f"{transition.label}需要填写理由")
    now = timezone.now()
    given = {**given, "reason": reason.strip()}
    # The system acts only in SYSTEM_ACTIONS, whose effects never read the actor.
    acting = cast(User, actor)
    with transaction.atomic():
        outcome = EFFECTS.get(action, _no_change)(event, acting, given, now)
        changes = dict(outcome.changes)
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
        AFTER.get(action, _nothing)(event, acting, given, outcome, now)
        step = _record(event, transition, actor, from_state, {**given, **outcome.data}, ip, now)
        for data, image in photos:
            photos_store.photo_attach(event=event, data=data, image=image, step=step)
        signals.event_moved.send(
            sender=Event, event=event, action=action, actor=actor, inputs=given
        )
    return event


def _no_change(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    return Outcome()


def _nothing(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    return None


def check_actor(transition: Transition, event: Event, actor: User) -> None:
    allowed = {
        Actor.CENTRE: _is_holding_centre,
        Actor.DEPARTMENT: lambda e, a: _assignment(e, a, AssignmentRole.LEAD) is not None,
        Actor.ASSISTANT: lambda e, a: _assignment(e, a, AssignmentRole.ASSIST) is not None,
        Actor.VERIFIER: duty.may_verify,
        Actor.DISTRICT: lambda e, a: (
            a.role in {Role.DISTRICT_CENTRE, Role.CITY_CENTRE, Role.ADMIN}
            and access.in_scope(a, e.region_path, write=True)
        ),
        Actor.REPORTER: lambda e, a: e.reporter_id == a.pk,
        Actor.SYSTEM: lambda e, a: False,
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
    given: dict,
    ip: str,
    now: dt.datetime,
) -> Step:
    data = {k: v for k, v in given.items() if k != "reason" and v not in (None, "", [])}
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
        actor_label=actor_label(actor, ""),
        note=given.get("reason", ""),
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
        reason=given.get("reason", ""),
        ip=ip,
        data={"from": from_state, "to": event.state, **data},
    )
    return step


# ---- what each action changes ---------------------------------------------------


@effect("accept")
def _accept(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    return Outcome(_urgency(inputs))


def _urgency(inputs: Inputs) -> dict:
    """The dispatcher's urgency, when given (一般 / 紧急 / 特急)."""
    urgency = inputs.get("urgency")
    if not urgency:
        return {}
    if urgency not in Urgency.values:
        raise EventError("紧急程度应为一般、紧急或特急")
    return {"urgency": urgency}


@after("accept")
def _accepted(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    notify.tell_reporter(event, "您反映的问题已受理")


@after("reject")
def _rejected(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    notify.tell_reporter(event, f"您反映的问题不予受理：{inputs['reason']}")


@effect("merge")
def _merge(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    original = Event.objects.filter(pk=inputs.get("original_id") or 0).first()
    # An event outside the actor's scope is answered as one that does not exist:
    # neither its existence nor its state is told.
    if original is None or not access.in_scope(actor, original.region_path):
        raise EventError("没有找到要合并到的原事件")
    if original.pk == event.pk:
        raise EventError("请选择要合并到的原事件")
    if original.state not in routing.DUPLICATE_STATES:
        raise EventError("原事件已办结，不能合并，请单独立案")
    return Outcome({"merged_into": original})


@after("merge")
def _merged(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    original = outcome.changes["merged_into"]
    notify.tell_reporter(event, f"您反映的问题与事件{original.receipt}相同，已合并办理")
    notify.tell_reporter(original, "又有群众反映了同一问题，已合并到您的事件中办理")
    Step.objects.create(
        event=original,
        action="merged_in",
        to_state=original.state,
        actor=actor,
        actor_label=actor_label(actor, ""),
        at=now,
        note=f"事件{event.receipt}已合并到本事件",
    )


@effect("dispatch")
def _dispatch(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    lead = _department(inputs.get("department_id") or event.lead_department_id)
    if lead is None:
        raise EventError("请选择主办部门")
    assists = [_department(i) for i in inputs.get("assist_ids") or [] if i != lead.pk]
    if None in assists:
        raise EventError("协办部门不存在")
    clock, deadline = _dispatch_deadline(event, inputs, now)
    return Outcome(
        {"lead_department": lead, **_urgency(inputs), **clock},
        {
            "department": lead.name,
            "department_id": lead.pk,  # the assessment attributes the case by it
            "assist": [d.name for d in assists],  # type: ignore[union-attr]
            "assist_ids": [d.pk for d in assists],  # type: ignore[union-attr]
            **deadline,
        },
    )


def _dispatch_deadline(event: Event, inputs: Inputs, now: dt.datetime) -> tuple[dict, dict]:
    """A handling deadline the dispatcher set, earlier than the category's own: an
    urgent case may be given hours where the category allows days, never more.
    The event's clock, and the deadline as the step records it."""
    wanted = inputs.get("deadline")
    if not wanted:
        return {}, {}
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
    return timing.clock_until(wanted, now), {"deadline": wanted.isoformat()}


def _department(department_id: int | None) -> Department | None:
    return Department.objects.filter(pk=department_id).first() if department_id else None


@after("dispatch")
def _dispatched(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    event.assignments.filter(active=True).update(active=False)
    lead = outcome.changes["lead_department"]
    assists = list(Department.objects.filter(pk__in=outcome.data["assist_ids"]))
    Assignment.objects.create(event=event, department=lead, role=AssignmentRole.LEAD)
    for department in assists:
        Assignment.objects.create(event=event, department=department, role=AssignmentRole.ASSIST)
    notify.notify(
        notify.department_users([lead, *assists]),
        event,
        f"派遣事件 {event.receipt}（{event.category.name}），请签收",
    )


@effect("assign_handler")
def _assign_handler(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    handler = User.objects.filter(
        pk=inputs.get("handler_id") or 0,
        role=Role.DEPARTMENT,
        department_id=actor.department_id or 0,
        is_active=True,
    ).first()
    if handler is None:
        raise EventError("请选择本部门的承办人")
    return Outcome(data={"handler": handler.label})


@after("assign_handler")
def _handler_assigned(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    event.assignments.filter(
        department=actor.department_id, role=AssignmentRole.LEAD, active=True
    ).update(handler_id=inputs["handler_id"])
    handler = User.objects.get(pk=inputs["handler_id"])
    notify.notify([handler], event, f"事件 {event.receipt} 指定由您承办，请及时处置")


@after("sign")
def _signed(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    event.assignments.filter(department=actor.department_id, active=True).update(signed_at=now)


@after("send_back")
def _sent_back(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    event.assignments.filter(active=True).update(active=False)
    notify.notify(
        notify.centre_users(event),
        event,
        f"事件 {event.receipt} 被{actor.department}退回：{inputs['reason']}",
    )


@effect("request_extension")
def _request_extension(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    days = int(inputs.get("days") or 0)
    if not 1 <= days <= 30:
        raise EventError("延期天数应在1到30个工作日之间")
    return Outcome(_request(event, "extension", days))


@effect("request_suspension")
def _request_suspension(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    return Outcome(_request(event, "suspension", 0))


def _request(event: Event, kind: str, days: int) -> dict:
    if event.pending_request:
        raise EventError("已有待审批的申请")
    return {"pending_request": kind, "pending_days": days}


@after("request_extension")
@after("request_suspension")
def _requested(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    kind = "延期" if event.pending_request == "extension" else "缓办"
    notify.notify(notify.centre_users(event), event, f"事件 {event.receipt} 申请{kind}，待审批")


@effect("approve_request")
def _approve(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    if event.pending_request == "extension":
        deadline = timing.add_days(event.deadline or now, event.pending_days)
        warn_at = now + (deadline - now) * timing.WARN_SHARE
        return Outcome(
            {
                "pending_request": "",
                "pending_days": 0,
                "deadline": deadline,
                "warn_at": warn_at,
                "warned": False,
                "overdue": False,
            }
        )
    if event.pending_request == "suspension":
        return Outcome(
            {
                "pending_request": "",
                "state": State.SUSPENDED,
                "deadline": None,
                "warn_at": None,
                "warned": False,
                "overdue": False,
            }
        )
    raise EventError("没有待审批的申请")


@effect("deny_request")
def _deny(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    if not event.pending_request:
        raise EventError("没有待审批的申请")
    return Outcome({"pending_request": "", "pending_days": 0})


@after("refuse_assist")
def _refused(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    event.assignments.filter(
        department=actor.department_id, role=AssignmentRole.ASSIST, active=True
    ).update(active=False)


@effect("handle")
@effect("resolve_on_spot")
def _handle(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    tier = duty.first_able_tier(event)
    return Outcome({"verify_tier": tier}, {"verifier": duty.TIER_LABELS[tier]})


@after("handle")
def _handled(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    notify.notify(duty.verifier_users(event), event, f"事件 {event.receipt} 已处置，请现场核查")


@effect("refer_verify")
def _refer_verify(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    if event.verify_tier >= duty.Tier.TOWNSHIP:
        raise EventError("已由乡镇/街道综治中心核查，不能再转")
    tier = duty.first_able_tier(event, start=event.verify_tier + 1)
    return Outcome({"verify_tier": tier}, {"verifier": duty.TIER_LABELS[tier]})


@after("refer_verify")
def _referred(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    notify.notify(
        duty.verifier_users(event),
        event,
        f"事件 {event.receipt} 已处置，原核查人未能按时核查，转由您现场核查",
    )


@after("resolve_on_spot")
def _resolved(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    _handled(event, actor, inputs, outcome, now)


@effect("verify_pass")
def _verify_pass(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    return Outcome({"closed_at": now})


@effect("restored")
def _restored(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    return Outcome({"closed_at": now})


@after("restored")
@after("verify_pass")
def _closed(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    notify.tell_reporter(event, "您反映的问题已办结，欢迎评价")


@effect("verify_fail")
def _verify_fail(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    return Outcome({"rework_count": F("rework_count") + 1})


@after("verify_fail")
def _rework(event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime) -> None:
    lead = event.assignments.filter(active=True, role=AssignmentRole.LEAD).first()
    if lead:
        notify.notify(
            notify.department_users([lead.department]),
            event,
            f"事件 {event.receipt} 核查未通过，需返工：{inputs['reason']}",
        )


@effect("call_back")
def _call_back(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    reached = inputs.get("reached")
    if reached is None:
        raise EventError("请选择是否联系上反映人")
    return Outcome({"called_back_at": now}, {"reached": bool(reached)})


@effect("evaluate")
def _evaluate(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    if event.reporter_phone and event.called_back_at is None:
        raise EventError("请先回访反映人，再评价归档")
    score = inputs.get("score")
    if score not in (1, 2, 3, 4, 5):
        raise EventError("评分应为1到5分")
    return Outcome({"centre_score": score})


@effect("escalate")
def _escalate(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    above = LEVEL_ABOVE.get(Level(event.level))
    held_by = ""
    if above is None and event.level == Level.DISTRICT:
        # Beyond the district: to the city's platform, when this one is linked to it.
        held_by = handover.upper()
        if not held_by:
            raise EventError("本平台未与上级平台联通，事件已在区县一级，不能再上报")
        above = Level.CITY
    if above is None:
        raise EventError("事件已在最高一级，不能再上报")
    # Waiting to be accepted or dispatched: the new centre gets a fresh clock. Already
    # with a department: the handling deadline stands.
    waiting = {
        State.REPORTED: Clock.ACCEPT,
        State.ACCEPTED: Clock.DISPATCH,
        State.RETURNED: Clock.DISPATCH,
    }
    clock = waiting.get(State(event.state), Clock.KEEP)
    changes = {"level": above, "held_by": held_by, **timing.start_clock(event, clock, now)}
    return Outcome(changes, {"to_level": above} | ({"to": held_by} if held_by else {}))


@effect("assign_down")
def _assign_down(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    """交办: the city hands the event to the platform of the district it lies in,
    which routes it like its own and reports each step back."""
    below = handover.lower(event)
    if not below:
        raise EventError("事件所在区县未与本平台联通，不能交办")
    # The district's own limits run on its clock and cross back as its steps; the
    # city's limit for the whole case is kept on this step, seen on both sides.
    due = inputs.get("due")
    if due is not None and due <= now:
        raise EventError("交办时限须晚于现在")
    data = {"to": below, "to_name": handover.name(below)}
    return Outcome({"held_by": below}, data | ({"due": due.isoformat()} if due else {}))


@after("escalate")
def _escalated(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    if event.held_by:
        return  # the city's centre is told by its own platform
    notify.notify(
        notify.centre_users(event), event, f"下级上报事件 {event.receipt}：{inputs['reason']}"
    )


@effect("supervise")
def _supervise(event: Event, actor: User, inputs: Inputs, now: dt.datetime) -> Outcome:
    days = int(inputs.get("days") or 3)
    if not 1 <= days <= 30:
        raise EventError("督办期限应在1到30个工作日之间")
    return Outcome({"supervised": True, "supervise_deadline": timing.add_days(now, days)})


@after("supervise")
def _supervised(
    event: Event, actor: User, inputs: Inputs, outcome: Outcome, now: dt.datetime
) -> None:
    departments = [a.department for a in event.assignments.filter(active=True)]
    users = notify.centre_users(event) + notify.department_users(departments)
    by = "市综治中心" if actor.role == Role.CITY_CENTRE else "区综治中心"
    notify.notify(users, event, f"{by}督办事件 {event.receipt}：{inputs['reason']}")


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
