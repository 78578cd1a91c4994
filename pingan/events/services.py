"""Every change to an event, in two modules by job: intake (`events/intake.py`)
and the transitions of the lifecycle with the resident's rating
(`events/transitions.py`). This module is what the rest of the platform imports."""

from __future__ import annotations

from pingan.events.errors import Conflict, EventError
from pingan.events.intake import (
    REFUSALS,
    STAFF_CHANNELS,
    Intake,
    Outcome,
    Report,
    Submitted,
    actor_label,
    category_for,
    event_report,
    event_report_many,
)
from pingan.events.lifecycle import LEVEL_ABOVE, LEVEL_RANK
from pingan.events.transitions import (
    SYSTEM_ACTIONS,
    check_actor,
    event_rate,
    event_transition,
)
from pingan.lib.receipts import new_receipt

__all__ = [
    "LEVEL_ABOVE",
    "LEVEL_RANK",
    "REFUSALS",
    "STAFF_CHANNELS",
    "SYSTEM_ACTIONS",
    "Conflict",
    "EventError",
    "Intake",
    "Outcome",
    "Report",
    "Submitted",
    "actor_label",
    "category_for",
    "check_actor",
    "event_rate",
    "event_report",
    "event_report_many",
    "event_transition",
    "new_receipt",
]
