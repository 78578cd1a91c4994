"""A link to a peer and messages from it, signed as the peer signs them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from pingan.lib.errors import DomainError
from pingan.links import signing
from pingan.links.handlers import HANDLERS
from pingan.links.models import Link, Side

CITY = "630200"


@pytest.fixture
def city(db) -> Link:
    return Link.objects.create(
        name="海东市",
        side=Side.UPPER,
        region_code=CITY,
        base_url="http://127.0.0.1:9/",
        keys=[signing.new_secret()],
    )


class Noted(list):
    refusing: set[int]


@pytest.fixture
def noted() -> Iterator[Noted]:
    """A message type for the tests: `test.note` appends its data to the list (in
    the inbox's transaction); a note whose n is in `refusing` is refused, as one
    with an unmapped code would be, until it is taken out."""
    seen = Noted()
    seen.refusing = set()

    def note(link, data, now):
        if data.get("n") in seen.refusing:
            raise DomainError("还不能处理")
        seen.append(data)
        return {"noted": len(seen)}

    HANDLERS["test.note"] = note
    yield seen
    HANDLERS.pop("test.note")


def envelope(kind: str, data: dict, subject: str = "", seq: int = 0) -> bytes:
    body: dict[str, object] = {"type": kind, "timestamp": "2026-12-02T08:00:00+08:00"}
    body |= {"from": CITY, "subject": subject, "seq": seq, "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def post(client, link: Link, body: bytes, webhook_id: str | None = None, at: float | None = None):
    headers = signing.headers(webhook_id or signing.new_id(), body, link.keys, at or time.time())
    return client.post(
        f"/links/inbox/{link.region_code}/",
        body,
        content_type="application/json",
        headers=headers,
    )
