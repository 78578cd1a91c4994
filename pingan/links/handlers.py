"""What a received message does, by its type: each flow registers the function
that applies it (in the inbox's transaction) and returns the answer's data. A
DomainError refuses the message without storing it, so the sender tries again
later (after an administrator added a missing mapping, say)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pingan.links.models import Link

Handler = Callable[[Link, dict[str, Any], dt.datetime], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


@handles("link.ping")
def _ping(link: Link, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """`pingan link test`: the peer answers with its own code and clock."""
    from pingan.links.outbox import own_code

    return {"pong": own_code(), "at": now.isoformat()}
