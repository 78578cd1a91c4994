"""What each kind of job does. An app registers its handlers in its AppConfig.ready,
so the worker runs them without importing the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pingan.jobs.models import Job

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Handler:
    run: Callable[[Job, Progress], str]  # returns a message for the row
    # Told when the job is given up (its process died too often), to mark its own rows.
    given_up: Callable[[Job, str], None] | None = None


HANDLERS: dict[str, Handler] = {}


def register(kind: str, run, given_up=None) -> None:
    HANDLERS[kind] = Handler(run, given_up)
