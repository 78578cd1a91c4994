"""The refusals of the closed loop's services."""

from __future__ import annotations

from pingan.lib.errors import DomainError


class EventError(DomainError):
    """A request that cannot be carried out as asked; the message is Chinese."""


class Conflict(Exception):
    """Someone else changed the event first, or a client UUID was reused."""
