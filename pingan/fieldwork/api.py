"""The mobile workbench over JSON, at /api/field/: the offline snapshot, the sync
of the phone's queue, changes to review or resolve, to-do lists and statistics."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import Status

from pingan.accounts.services import client_ip
from pingan.events import timing
from pingan.fieldwork import changes, selectors, stats, sync
from pingan.fieldwork.models import ChangeStatus
from pingan.fieldwork.services import FieldError

router = Router(tags=["fieldwork"])


@router.get("/snapshot")
def field_snapshot(request):
    """The worker's grids for offline use (only their own grids)."""
    return selectors.snapshot(request.user)


class SyncItem(Schema):
    uuid: str
    kind: str
    body: dict


class SyncIn(Schema):
    items: list[SyncItem]


@router.post("/sync")
def field_sync(request, payload: SyncIn):
    """The phone's queue, in order. Each item answers on its own: 201 taken, 200
    a replay of an item already taken, 409 its UUID was used for something else,
    403/404/422 refused with the reason (nothing kept: fix it and send it again)."""
    items = [item.dict() for item in payload.items]
    return {"results": sync.sync(actor=request.user, items=items, ip=client_ip(request))}


@router.get("/changes")
def field_changes(request, status: str = ChangeStatus.PENDING):
    """Changes in the user's area with this status, newest first."""
    if status not in ChangeStatus.values:
        raise FieldError(f"未知的状态：{status}")
    found = selectors.changes_for_user(request.user).filter(status=status)[:200]
    return {"items": [selectors.change_out(change) for change in found]}


class ReviewIn(Schema):
    approve: bool
    note: str = ""


@router.post("/changes/{change_id}/review")
def field_change_review(request, change_id: int, payload: ReviewIn):
    change = selectors.change_get_for_user(request.user, change_id)
    change = changes.change_review(
        actor=request.user, change=change, approve=payload.approve, note=payload.note
    )
    return selectors.change_out(change)


class ResolveIn(Schema):
    keep_mine: bool


@router.post("/changes/{change_id}/resolve")
def field_change_resolve(request, change_id: int, payload: ResolveIn):
    change = selectors.change_get_for_user(request.user, change_id)
    change = changes.change_resolve(actor=request.user, change=change, keep_mine=payload.keep_mine)
    return selectors.change_out(change)


def _event_row(event) -> dict:
    return {
        "id": event.pk,
        "receipt": event.receipt,
        "category": event.category.name,
        "state": event.state,
        "state_label": event.get_state_display(),
        "description": event.description[:200],
        "address": event.address,
        "version": event.version,
        "deadline": event.deadline,
        "mark": timing.mark(event, timezone.now()),
        "department_id": event.lead_department_id,
    }


@router.get("/todo")
def field_todo(request):
    """What waits on the user: a department's dispatched events, or a centre's
    events to accept and dispatch."""
    user = request.user
    if user.role == "department":
        found = selectors.department_todo(user)
    elif user.role in changes.REVIEWERS:
        found = selectors.centre_inbox(user)
    else:
        found = []
    return {"items": [_event_row(event) for event in found]}


@router.get("/stats")
def field_stats(request, period: str = "month", by: str = "grid", start: str = "", end: str = ""):
    """Fieldwork and events reported, per worker/grid/village/township."""
    first, last = _bounds(period, start, end)
    rows = stats.fieldwork_stats(request.user, start=first, end=last, by=by)
    return Status(
        200,
        {
            "start": first,
            "end": last,
            "by": by,
            "measures": stats.MEASURES,
            "rows": [{"key": r.key, "label": r.label, **r.counts} for r in rows],
            "total": stats.totals(rows),
        },
    )


def _bounds(period: str, start: str, end: str) -> tuple[dt.date, dt.date]:
    if start or end:
        try:
            return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError:
            raise FieldError("日期格式应为 YYYY-MM-DD") from None
    return stats.period_bounds(period)
