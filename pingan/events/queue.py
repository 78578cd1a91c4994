"""The dispatcher's queue and bulk triage."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from pingan.accounts.models import User
from pingan.events import selectors, services
from pingan.events.lifecycle import FINAL, Transition, available
from pingan.events.models import Category, Event, State
from pingan.events.services import EventError


@dataclass
class QueueFilters:
    state: str = ""
    category: str = ""
    township: str = ""
    overdue: bool = False


def cursor(text: str) -> int:
    """The `after` of a queue page as the client sent it."""
    if not text.isdigit():
        raise EventError("分页参数 after 无效")
    return int(text)


def page(user: User, filters: QueueFilters, *, after: int = 0, limit: int = 50) -> list[Event]:
    if filters.state not in ("", "open", *State.values):
        raise EventError(f"没有这个状态：{filters.state[:20]}")
    events = selectors.events_for_user(user, newest_first=True)
    if filters.state == "open":
        events = events.exclude(state__in=FINAL)
    elif filters.state:
        events = events.filter(state=filters.state)
    if filters.category:
        # Ids, not a join, and "+ 0" so that no database answers a newest-first page
        # by reading the category index and then sorting all its rows.
        codes = Category.objects.filter(code__startswith=filters.category)
        ids = list(codes.values_list("id", flat=True))
        events = events.alias(category_number=F("category_id") + 0).filter(category_number__in=ids)
    if filters.township:
        events = events.filter(
            region_path__startswith=f"{filters.township[:6]}/{filters.township[:9]}/"
        )
    if filters.overdue:
        events = events.filter(deadline__lt=timezone.now())
    if after:
        events = events.filter(id__lt=after)
    limit = max(1, min(limit, 200))
    return list(
        events.select_related("category", "category__parent", "grid")
        .defer("grid__boundary")  # a polygon per row, and lists never draw it
        .order_by("-id")[:limit]
    )


def actions_for(event: Event, user: User) -> list[Transition]:
    """The transitions this user may take on the event now."""
    allowed = []
    for transition in available(event):
        try:
            services.check_actor(transition, event, user)
        except PermissionDenied:
            continue
        allowed.append(transition)
    return allowed


def bulk(
    user: User, action: str, ids: list[int], *, department_id: int | None = None, ip: str = ""
) -> dict:
    done, failed = [], {}
    for event_id in ids[:200]:
        try:
            event = selectors.event_get_for_user(user, event_id)
            params: dict = {"department_id": department_id} if action == "dispatch" else {}
            services.event_transition(event=event, action=action, actor=user, ip=ip, **params)
        except (services.EventError, services.Conflict, PermissionDenied, Http404) as exc:
            failed[str(event_id)] = str(exc)
        else:
            done.append(event_id)
    return {"done": done, "failed": failed}
