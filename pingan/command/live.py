"""The big screen's live layer: the latest events of the user's area, for the map's
markers and the ticker, polled every few seconds. What a wall in a room with
visitors may show: the kind of event, where (village and grid), when and how far
along; no resident's words, name or phone."""

from __future__ import annotations

from django.utils import timezone

from pingan.accounts.models import User
from pingan.events.models import State, Urgency
from pingan.events.selectors import events_for_user

FIRST = 20  # the ticker's length, and the markers a fresh screen starts with
MOST = 100  # a burst between two polls


def latest(user: User, *, after: int = 0) -> dict:
    """Events newer than the id `after` (the newest FIRST when `after` is 0), newest
    first, with `last`: the id the next poll asks after."""
    events = events_for_user(user, newest_first=True).select_related(
        "category", "category__parent", "grid__parent"
    )
    events = events.defer("grid__boundary", "grid__parent__boundary")
    if after:
        found = list(events.filter(id__gt=after).order_by("-id")[:MOST])
    else:
        found = list(events.order_by("-id")[:FIRST])
    last = found[0].pk if found else after
    return {"items": [_item(event) for event in found], "last": last}


def _when(moment) -> str:
    """The time today, the day and time before."""
    local = timezone.localtime(moment)
    return local.strftime("%H:%M" if local.date() == timezone.localdate() else "%m-%d %H:%M")


def _item(event) -> dict:
    village = event.grid.parent.name if event.grid.parent_id else ""
    return {
        "id": event.pk,
        "category": str(event.category),
        "place": f"{village} {event.grid.name}".strip(),
        "lng": event.lng,
        "lat": event.lat,
        "at": _when(event.created_at),
        "state": str(State(event.state).label),
        "urgent": event.urgency != Urgency.NORMAL,
    }
