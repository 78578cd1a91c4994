"""Reads of events, always scoped: staff see the events of their subtree; a
department handler sees the events their department was dispatched."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import Role, User
from pingan.events.models import Assignment, Event, Photo, Step
from pingan.lib.divisions import PATH_DEPTH, Level


def events_for_user(user: User, *, newest_first: bool = False) -> QuerySet[Event]:
    """Centres, grid staff and leaders: the events of their subtree. Department
    handlers: only the events their department was dispatched (DESIGN.md).
    newest_first: the caller reads a page by descending id (the queue)."""
    events = Event.objects.all()
    if user.role == Role.DEPARTMENT:
        if not user.department_id:
            return events.none()
        assigned = Assignment.objects.filter(event=OuterRef("pk"), department=user.department_id)
        return events.filter(Exists(assigned))
    paths = access.read_paths(user)
    # A township holds an eighth of a district's events: reading ids from the newest
    # finds a page sooner than the path index does. A village's share is too small.
    wide = newest_first and all(path.count("/") <= PATH_DEPTH[Level.TOWNSHIP] for path in paths)
    return events.filter(access.path_q(paths, scan=wide))


def event_get_for_user(user: User, event_id: int) -> Event:
    event = (
        events_for_user(user)
        .filter(pk=event_id)
        .select_related("category", "category__parent", "grid", "lead_department")
        .first()
    )
    if event is None:
        raise Http404("没有找到该事件，或无权查看")
    return event


def department_todo(user: User) -> QuerySet[Event]:
    """Events waiting on the user's department."""
    if not user.department_id:
        return Event.objects.none()
    active = Assignment.objects.filter(
        event=OuterRef("pk"), department=user.department_id, active=True
    )
    return Event.objects.filter(Exists(active), state__in=["dispatched", "handling"])


HANDLING_ACTIONS = ("handle", "resolve_on_spot")


def handling_reports(event_ids: list[int]) -> dict[int, dict]:
    """What the department said and showed when it finished, per event: the text
    of its last 处置完毕 and the photos of every handling step (for the verifier)."""
    steps = Step.objects.filter(event_id__in=event_ids, action__in=HANDLING_ACTIONS)
    found: dict[int, dict] = {}
    for step in steps.order_by("at", "id"):
        found[step.event_id] = {"note": step.note, "by": step.actor_label, "at": step.at}
    photos = Photo.objects.filter(event_id__in=event_ids).select_related("step").order_by("id")
    for photo in photos:
        entry = found.setdefault(photo.event_id, {"note": "", "by": "", "at": None})
        entry.setdefault("photos", []).append(photo)
    return found
