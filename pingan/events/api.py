"""Events over JSON: intake (with client UUIDs for phones), the scoped queue,
one event with its timeline, and transitions (409 on a conflict)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status

from pingan.events import duty, queue, routing, selectors, services, timing
from pingan.events.models import Event, State
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip

router = Router(tags=["events"])


class EventIn(Schema):
    category: str
    lng: float
    lat: float
    description: str
    address: str = ""
    channel: str = "grid_worker"
    reporter_name: str = ""
    reporter_phone: str = ""
    source_ref: str = ""
    level: str = "village"
    client_uuid: uuid.UUID | None = None


class EventBrief(Schema):
    id: int
    receipt: str
    category: str
    state: str
    state_label: str
    level: str
    grid_code: str
    address: str
    description: str
    created_at: dt.datetime
    deadline: dt.datetime | None
    mark: str
    version: int
    supervised: bool
    urgency: str
    channel: str
    waiting_for: str | None = None  # who must act next, and what: "平安区城管局：处置"

    @staticmethod
    def resolve_waiting_for(obj: Event) -> str | None:
        waits = getattr(obj, "duty", None)
        return str(waits) if waits else None

    @staticmethod
    def resolve_category(obj: Event) -> str:
        return str(obj.category)

    @staticmethod
    def resolve_state_label(obj: Event) -> str:
        # Not get_state_display(): it hashes every choice on each call, which
        # showed in the intake profile.
        return str(State(obj.state).label)

    @staticmethod
    def resolve_grid_code(obj: Event) -> str:
        return obj.grid.code

    @staticmethod
    def resolve_mark(obj: Event) -> str:
        return timing.mark(obj, timezone.now())


class StepOut(Schema):
    action: str
    from_state: str
    to_state: str
    actor_label: str
    note: str
    at: dt.datetime


class EventDetail(EventBrief):
    lng: float
    lat: float
    lead_department: str | None
    merged_into: str | None
    rework_count: int
    pending_request: str
    satisfaction: int | None
    steps: list[StepOut]
    actions: list[str]

    @staticmethod
    def resolve_waiting_for(obj: Event) -> str | None:
        waits = duty.duty(obj)
        return str(waits) if waits else None

    @staticmethod
    def resolve_lead_department(obj: Event) -> str | None:
        return obj.lead_department.name if obj.lead_department_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_merged_into(obj: Event) -> str | None:
        return obj.merged_into.receipt if obj.merged_into_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_steps(obj: Event) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_actions(obj: Event, context) -> list[str]:
        return [t.action for t in queue.actions_for(obj, context["request"].user)]


class IntakeOut(Schema):
    event: EventBrief
    created: bool
    similar: list[EventBrief]


class ActionIn(Schema):
    version: int | None = None
    reason: str = ""
    department_id: int | None = None
    assist_ids: list[int] = []
    days: int | None = None
    score: int | None = None
    original_id: int | None = None
    urgency: str | None = None  # accept, dispatch: normal / urgent / critical
    deadline: dt.datetime | None = None  # dispatch: a handling deadline, earlier only
    handler_id: int | None = None  # assign_handler: a user of the department
    reached: bool | None = None  # call_back: whether the reporter answered


class QueuePage(Schema):
    items: list[EventBrief]
    next_after: int | None


class BulkIn(Schema):
    action: str
    ids: list[int]
    department_id: int | None = None
    reason: str = ""


class BulkOut(Schema):
    done: list[int]
    failed: dict[str, str]


def _submitted(payload: EventIn) -> services.Submitted:
    report = services.Report(
        category=services.category_for(payload.category),
        lng=payload.lng,
        lat=payload.lat,
        description=payload.description,
        address=payload.address,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        source_ref=payload.source_ref,
        level=payload.level,
    )
    return services.Submitted(report, payload.client_uuid)


def _intake_many(request, payloads: list[EventIn]) -> list[services.Outcome]:
    """Each payload's intake or refusal, in order; every intake's similar events are
    cut down to those the user may see."""
    outcomes: list[services.Outcome | None] = [None] * len(payloads)
    submitted: dict[int, services.Submitted] = {}
    for i, payload in enumerate(payloads):
        try:
            submitted[i] = _submitted(payload)
        except services.EventError as exc:
            outcomes[i] = exc
    by_channel: dict[str, list[int]] = {}
    for i in submitted:
        by_channel.setdefault(payloads[i].channel, []).append(i)
    for channel, indexes in by_channel.items():
        results = services.event_report_many(
            actor=request.user,
            channel=channel,
            items=[submitted[i] for i in indexes],
            ip=client_ip(request),
        )
        for i, outcome in zip(indexes, results, strict=True):
            outcomes[i] = outcome
    _hide_unseen_similar(request.user, [o for o in outcomes if isinstance(o, services.Intake)])
    return outcomes  # type: ignore[return-value]


def _hide_unseen_similar(user, intakes: list[services.Intake]) -> None:
    shown = {e.pk for intake in intakes for e in intake.similar}
    if not shown:
        return
    visible = selectors.events_for_user(user).filter(pk__in=shown)
    visible_ids = set(visible.values_list("pk", flat=True))
    for intake in intakes:
        intake.similar = [e for e in intake.similar if e.pk in visible_ids]


@router.post("/events", response={201: IntakeOut, 200: IntakeOut})
def event_create(request, payload: EventIn):
    """Report an event. With client_uuid, a replay returns the first result (200)."""
    (intake,) = _intake_many(request, [payload])
    if isinstance(intake, Exception):
        raise intake
    body = {"event": intake.event, "created": intake.created, "similar": intake.similar}
    return Status(201 if intake.created else 200, body)


class BatchIn(Schema):
    items: list[EventIn]


class BatchItemOut(Schema):
    status: int
    client_uuid: uuid.UUID | None
    result: IntakeOut | None = None
    error: dict | None = None


MAX_BATCH = 100


@router.post("/events/batch", response=list[BatchItemOut])
def event_batch(request, payload: BatchIn):
    """Several reports at once, as a phone sends its offline queue when it gets a
    signal back. Each item is taken in (or refused) on its own, with its own
    status; send client_uuid so that a batch resent after a timeout is harmless."""
    if len(payload.items) > MAX_BATCH:
        raise services.EventError(f"一次最多提交{MAX_BATCH}件")
    outcomes = _intake_many(request, payload.items)
    return [
        _batch_item(item, outcome) for item, outcome in zip(payload.items, outcomes, strict=True)
    ]


BATCH_ERRORS: list[tuple[type[Exception], int, str]] = [
    (services.Conflict, 409, "conflict"),
    (DomainError, 422, "invalid"),
    (PermissionDenied, 403, "forbidden"),
]


def _batch_item(item: EventIn, outcome: services.Outcome) -> dict:
    if isinstance(outcome, services.Intake):
        return {
            "status": 201 if outcome.created else 200,
            "client_uuid": item.client_uuid,
            "result": {
                "event": outcome.event,
                "created": outcome.created,
                "similar": outcome.similar,
            },
        }
    for kind, status, code in BATCH_ERRORS:
        if isinstance(outcome, kind):
            error = {"code": code, "message": str(outcome)}
            return {"status": status, "client_uuid": item.client_uuid, "error": error}
    raise outcome


@router.get("/events", response=QueuePage)
def event_queue(
    request,
    state: str = "",
    category: str = "",
    township: str = "",
    overdue: bool = False,
    supervised: bool = False,
    q: str = "",
    since: str = "",
    until: str = "",
    closed_since: str = "",
    closed_until: str = "",
    after: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=200),
):
    """The dispatcher's queue: newest first (the first page opens with the urgent
    events), filtered, keyset-paged. state=mine: what waits for this user; q: a
    receipt code, a reporter's phone (7 digits or more) or words of the text;
    since/until, closed_since/closed_until: days reported or closed (YYYY-MM-DD)."""
    filters = queue.QueueFilters(
        state=state,
        category=category,
        township=township,
        overdue=overdue,
        supervised=supervised,
        q=q,
        since=since,
        until=until,
        closed_since=closed_since,
        closed_until=closed_until,
    )
    found = queue.page(request.user, filters, after=after, limit=limit)
    return {"items": found.items, "next_after": found.next_after}


@router.get("/events/similar", response=list[EventBrief])
def event_similar(request, category: str, lng: float, lat: float):
    """Likely duplicates while reporting: open events of the category nearby."""
    found = routing.similar_events(
        services.category_for(category),
        lng,
        lat,
        timezone.now(),
        selectors.events_for_user(request.user),
    )
    return found


# Fixed paths first: /events/{event_id} would otherwise take them.
@router.post("/events/bulk", response=BulkOut)
def event_bulk(request, payload: BulkIn):
    """Accept or dispatch many events at once; each succeeds or fails on its own."""
    if payload.action not in {"accept", "dispatch"}:
        raise services.EventError("批量操作只支持立案和派遣")
    return queue.bulk(
        request.user,
        payload.action,
        payload.ids,
        department_id=payload.department_id,
        ip=client_ip(request),
    )


@router.get("/events/{event_id}", response=EventDetail)
def event_detail(request, event_id: int):
    return selectors.event_get_for_user(request.user, event_id)


@router.post("/events/{event_id}/actions/{action}", response=EventDetail)
def event_action(request, event_id: int, action: str, payload: ActionIn):
    event = selectors.event_get_for_user(request.user, event_id)
    return services.event_transition(
        event=event,
        action=action,
        actor=request.user,
        version=payload.version,
        reason=payload.reason,
        ip=client_ip(request),
        inputs=payload.dict(exclude={"version", "reason"}, exclude_none=True),
    )
