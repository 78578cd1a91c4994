"""Work the worker does every round besides its own (time limits, messages,
checkpoints): each app registers a function of the time that returns what it did
in a few words, or "" when nothing. The worker knows none of them by name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Round = Callable[[dt.datetime], str]
ROUNDS: dict[str, Round] = {}


def register(name: str, work: Round) -> None:
    ROUNDS[name] = work


def run_all(now: dt.datetime) -> list[str]:
    return [said for work in ROUNDS.values() if (said := work(now))]
