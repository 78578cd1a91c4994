"""The dispatcher's queue and bulk triage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.accounts.models import User
from pingan.events import duty, selectors, services
from pingan.events.lifecycle import FINAL, Transition, available
from pingan.events.models import Category, Event, State, Urgency
from pingan.events.services import EventError
from pingan.lib.dates import parse_day
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.divisions import code_path
from pingan.lib.periods import day_start
from pingan.lib.receipts import ALPHABET, RECEIPT_LENGTH, normalise


@dataclass
class QueueFilters:
    state: str = ""  # "mine" (待我办理), "open" (全部未办结), "" (全部) or one state
    category: str = ""
    township: str = ""
    overdue: bool = False
    q: str = ""  # receipt code, reporter phone, or words of the text or address
    supervised: bool = False
    # Days (YYYY-MM-DD, both included): reported in, or closed (核查通过) in, a period,
    # as the command centre's tiles count them.
    since: str = ""
    until: str = ""
    closed_since: str = ""
    closed_until: str = ""


FLAGS = ("overdue", "supervised")


def filters_from(query, *, default_state: str = "") -> QueueFilters:
    """The filters as a page's query string gives them (flags as "1")."""
    filters = QueueFilters(state=query.get("state", default_state))
    for name in TEXT_FILTERS:
        setattr(filters, name, query.get(name, ""))
    for name in FLAGS:
        setattr(filters, name, query.get(name) in ("1", "true"))
    return filters


def as_query(filters: QueueFilters) -> dict[str, str]:
    """The filters back as a query string, for the next page's link."""
    query = {"state": filters.state} | {name: getattr(filters, name) for name in TEXT_FILTERS}
    return {k: v for k, v in query.items() if v or k == "state"} | {
        name: "1" for name in FLAGS if getattr(filters, name)
    }


TEXT_FILTERS = ("category", "township", "q", "since", "until", "closed_since", "closed_until")
VIEWS = {"mine": _("待我办理"), "open": _("全部未办结"), "": _("全部")}
URGENT_FIRST = 50  # urgent events head the first page, up to this many


def cursor(text: str) -> int:
    """The `after` of a queue page as the client sent it."""
    if not text.isdigit():
        raise EventError("分页参数 after 无效")
    return int(text)


@dataclass
class Page:
    items: list[Event]
    next_after: int | None  # the cursor of the next page, if there is one


def page(user: User, filters: QueueFilters, *, after: int = 0, limit: int = 50) -> Page:
    """A page of the queue, newest first; the first page opens with the urgent
    events (特急, then 紧急) of the same filters, which later pages leave out."""
    limit = max(1, min(limit, 200))
    rows = _filtered(user, filters).select_related(
        "category", "category__parent", "grid", "lead_department"
    )
    rows = rows.defer("grid__boundary")  # a polygon per row, and lists never draw it
    urgent: list[Event] = []
    if after:
        rows = rows.filter(id__lt=after)
    else:
        found = rows.exclude(urgency=Urgency.NORMAL).order_by("-id")[:URGENT_FIRST]
        urgent = sorted(found, key=lambda e: (URGENCY_RANK[Urgency(e.urgency)], -e.id))
    normal = list(rows.filter(urgency=Urgency.NORMAL).order_by("-id")[:limit])
    items = urgent + normal
    for event, waits in zip(items, duty.duties(items), strict=True):
        event.duty = waits  # type: ignore[attr-defined]  # who must act, for the list
    return Page(items, normal[-1].id if len(normal) == limit else None)


URGENCY_RANK = {Urgency.CRITICAL: 0, Urgency.URGENT: 1, Urgency.NORMAL: 2}


def _filtered(user: User, filters: QueueFilters) -> QuerySet[Event]:
    if filters.state not in (*VIEWS, *State.values):
        raise EventError(f"没有这个状态：{filters.state[:20]}")
    events = selectors.events_for_user(user, newest_first=True)
    if filters.state == "mine":
        events = events.filter(duty.awaiting(user))
    elif filters.state == "open":
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
            region_path__startswith=code_path(filters.township, RegionLevel.TOWNSHIP)
        )
    if filters.overdue:
        events = events.filter(deadline__lt=timezone.now())
    if filters.q.strip():
        events = events.filter(search(filters.q))
    if filters.supervised:
        events = events.filter(supervised__in=[True])  # the flag's index, as overview
    events = _period(events, "created_at", filters.since, filters.until)
    return _period(events, "closed_at", filters.closed_since, filters.closed_until)


def _period(events: QuerySet[Event], field: str, since: str, until: str) -> QuerySet[Event]:
    try:
        if since:
            events = events.filter(**{f"{field}__gte": day_start(parse_day(since))})
        if until:
            next_day = parse_day(until) + dt.timedelta(days=1)
            events = events.filter(**{f"{field}__lt": day_start(next_day)})
    except ValueError:
        raise EventError("日期格式应为 年-月-日，如 2026-12-01") from None
    return events


def search(text: str) -> Q:
    """A receipt code finds its event; seven digits or more, the reporter's phone
    (its end: people remember the last digits); anything else, the words of the
    description or the address."""
    text = text.strip()[:50]
    code = normalise(text)
    if len(code) == RECEIPT_LENGTH and all(c in ALPHABET for c in code):
        return Q(receipt=code)
    digits = text.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= 7:
        return Q(reporter_phone__endswith=digits)
    return Q(description__icontains=text) | Q(address__icontains=text)


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
