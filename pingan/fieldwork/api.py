"""The mobile workbench over JSON, at /api/field/: the offline snapshot, the sync
of the phone's queue, changes to review or resolve, to-do lists and statistics."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.views.decorators.gzip import gzip_page
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status

from pingan.events import timing
from pingan.fieldwork import changes, selectors, services, stats, sync
from pingan.fieldwork.models import ChangeStatus
from pingan.fieldwork.services import FieldError
from pingan.lib.dates import parse_day
from pingan.lib.http import client_ip
from pingan.lib.periods import period_bounds

router = Router(tags=["fieldwork"])


@router.get("/snapshot")
@decorate_view(gzip_page)  # ~600 KB of JSON for 500 households; a tenth of it gzipped
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


@router.get("/figures")
def field_figures(request):
    """A leader's key figures for their area."""
    return stats.key_figures(request.user)


def _bounds(period: str, start: str, end: str) -> tuple[dt.date, dt.date]:
    if start or end:
        try:
            first, last = parse_day(start), parse_day(end)
        except ValueError:
            raise FieldError("日期格式应为 YYYY-MM-DD（1900 至 2999 年）") from None
        if first > last:
            raise FieldError("开始日期不能晚于结束日期")
        return first, last
    return period_bounds(period)


class InspectionIn(Schema):
    place_id: int
    assignee: str
    due_on: dt.date
    note: str = ""


def _task_out(task) -> dict:
    return {
        "id": task.pk,
        "place_id": task.place_id,
        "place": task.place.name,
        "assignee": task.assignee.username,
        "due_on": task.due_on,
        "note": task.note,
        "done_work_id": task.done_id,
    }


@router.get("/inspections")
def field_inspections(request, open_only: bool = True):
    tasks = selectors.inspections_for_user(request.user)
    if open_only:
        tasks = tasks.filter(done__isnull=True)
    return {"items": [_task_out(task) for task in tasks.order_by("due_on")[:200]]}


@router.post("/inspections", response={201: dict})
def field_inspection_assign(request, payload: InspectionIn):
    """Ask a grid worker to inspect a place by a date; it shows in their tasks."""
    place = selectors.places_for_user(request.user).filter(pk=payload.place_id).first()
    assignee = (
        selectors.field_staff_for_user(request.user).filter(username=payload.assignee).first()
    )
    if place is None or assignee is None:
        raise FieldError("没有找到该场所或网格员，或不在您的辖区")
    task = services.inspection_assign(
        actor=request.user, place=place, assignee=assignee, due_on=payload.due_on, note=payload.note
    )
    return Status(201, _task_out(task))
