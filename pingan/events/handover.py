"""Events held on another platform (互联互通). A district escalates beyond itself to
the city's platform, the city assigns down (交办) to a district's: the event then
lives on both, held by one. The copy that is not held only shows what the holder
does and may supervise (督办); every other action is the holder's.

Which platform is above, and which below holds an event's region, is the links
app's to know: it installs the answers here when it is ready (the events app sits
below it and never reads its tables). Without it the district is the top."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pingan.events.models import Event


def _nobody() -> str:
    return ""


def _no_one_below(event: Event) -> str:
    return ""


def _code(code: str) -> str:
    return code


# The region code of the platform above, "" when none is linked.
upper: Callable[[], str] = _nobody
# The region code of the platform below whose region holds the event, "" when none.
lower: Callable[[Event], str] = _no_one_below
# A platform's name by its code, for what a page says ("海东市综治平台").
name: Callable[[str], str] = _code

# What the copy that is not held may still do.
ACROSS_ACTIONS = {"supervise"}


def held_elsewhere(event: Event) -> bool:
    return bool(event.held_by)


def assigned_due(event: Event) -> dt.datetime | None:
    """The time limit the platform above set when it assigned the case down (交办
    时限), on its latest 交办 step: the city's own limit beside the district's."""
    step = event.steps.filter(action="assign_down").order_by("-at", "-id").first()
    due = step.data.get("due") if step else None
    return dt.datetime.fromisoformat(due) if due else None
