"""Work the worker does every round besides its own (time limits, messages,
checkpoints): each app registers a function of the time that returns what it did
in a few words, or "" when nothing. The worker knows none of them by name.

Every round runs under a lease (jobs.services.lease_take): with workers on several
hosts, one runs a given round at a time, and a round whose worker died is taken
over once its lease lapses. The rows a round acts on are claimed one by one as
well, so even a round that outlives its lease does nothing twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Round = Callable[[dt.datetime], str]
ROUNDS: dict[str, Round] = {}


def register(name: str, work: Round) -> None:
    ROUNDS[name] = work


def run(name: str, holder: str, work: Round, now: dt.datetime) -> str:
    """The round's own words, or "" when another worker holds it or it did nothing."""
    from pingan.jobs.services import lease_give, lease_take

    if not lease_take(name, holder, now):
        return ""
    try:
        return work(now)
    finally:
        lease_give(name, holder)


def run_all(now: dt.datetime, holder: str) -> list[str]:
    return [said for name, work in ROUNDS.items() if (said := run(name, holder, work, now))]
