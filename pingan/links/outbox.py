"""Sending: a message is a row written in the transaction of the change it tells
(`message_send`); the worker's round delivers what is due (`deliver_round`),
never a request. Each attempt is signed afresh (Standard Webhooks); a failure
waits longer each time (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, a
little jitter; `Retry-After` honoured), then the message is a dead letter an
administrator can see and replay. 410 Gone disables the link. When a link answers
again, everything waiting for it is due at once, and goes in order: a subject's
next message is sent only after the one before it was delivered."""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from pingan.lib.divisions import SEGMENT_LENGTH, Level
from pingan.links import signing
from pingan.links.models import Link, Message
from pingan.regions.selectors import installation_root

RETRY = [
    dt.timedelta(seconds=5),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=10),
    dt.timedelta(hours=14),
    dt.timedelta(hours=20),
    dt.timedelta(hours=24),
]
LONGEST_WAIT = dt.timedelta(hours=24)
CLAIM = dt.timedelta(seconds=60)  # a worker that claimed and died: others retry after
TIMEOUT_SECONDS = 15
BATCH = 50
SENDERS = 8  # posts of a batch in flight at once (each to a different subject)
ROUND_SECONDS = 20  # one round delivers until nothing is due or this much time went
THROTTLE = {429, 502, 503, 504}


def own_code() -> str:
    """This installation's region code, as its peers know it: the setting, else
    the code of its tree's top."""
    if settings.LINKS_REGION_CODE:
        return settings.LINKS_REGION_CODE
    top = installation_root()
    if top is None:
        return ""
    # 630203000000 is known to other platforms as 630203 (a township by 9 digits)
    return top.code[: SEGMENT_LENGTH[Level(top.level)]]


def inbox_url(link: Link) -> str:
    return f"{link.base_url.rstrip('/')}/links/inbox/{own_code()}/"


def message_send(
    link: Link,
    kind: str,
    data: dict[str, Any],
    *,
    subject: str = "",
    ordered: bool = True,
    now: dt.datetime | None = None,
) -> Message:
    """A message to the link, stored now (in the caller's transaction) and sent by
    the worker. Ordered messages of a subject carry its next sequence number."""
    now = now or timezone.now()
    seq = 0
    if ordered and subject:
        last = Message.objects.filter(link=link, subject=subject).aggregate(top=Max("seq"))["top"]
        seq = (last or 0) + 1
    message = message_new(link, kind, data, subject=subject, seq=seq, now=now)
    message.save()
    return message


def message_new(
    link: Link, kind: str, data: dict[str, Any], *, subject: str, seq: int, now: dt.datetime
) -> Message:
    """The message as it is signed and sent, not yet stored (`link test` sends
    one without storing it)."""
    body = {
        "type": kind,
        "timestamp": now.isoformat(),
        "from": own_code(),
        "subject": subject,
        "seq": seq,
        "data": data,
    }
    return Message(
        link=link,
        webhook_id=signing.new_id(),
        type=kind,
        subject=subject,
        seq=seq,
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str),
        next_at=now,
        created_at=now,
    )


def succeeded(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


# ---- delivery -------------------------------------------------------------------


def deliver_round(now: dt.datetime) -> str:
    """The worker's round: deliver what is due, for up to ROUND_SECONDS. A claimed
    batch holds at most one message of a subject (the next of each), so its posts
    go at once, SENDERS at a time; what came of each is written here, in order."""
    started = time.monotonic()
    sent = failed = 0
    while time.monotonic() - started < ROUND_SECONDS:
        claimed = claim(timezone.now())
        if not claimed:
            break
        attempts = _post_all([request_new(m, timezone.now()) for m in claimed])
        for message, attempt in zip(claimed, attempts, strict=True):
            if record(message, attempt, timezone.now()):
                sent += 1
            else:
                failed += 1
    if not (sent or failed):
        return ""
    return f"互联互通：送达 {sent} 条" + (f"，失败 {failed} 条" if failed else "")


def claim(now: dt.datetime, limit: int = BATCH) -> list[Message]:
    """Due messages, each the next of its subject, claimed for this worker for a
    while (SKIP LOCKED on PostgreSQL: two workers never take the same one)."""
    earlier = Message.objects.filter(
        link=OuterRef("link"),
        subject=OuterRef("subject"),
        seq__lt=OuterRef("seq"),
        seq__gt=0,
        state__in=[Message.State.WAITING, Message.State.DEAD],
    )
    due = (
        Message.objects.filter(state=Message.State.WAITING, next_at__lte=now, link__enabled=True)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .exclude(Q(seq__gt=0) & Exists(earlier))
        .order_by("next_at", "id")
    )
    token = secrets.token_hex(8)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:limit])
        # Conditional again: where rows cannot be skipped (SQLite), a claim made
        # between the read and this write is not taken over.
        Message.objects.filter(pk__in=ids).filter(
            Q(claimed_until=None) | Q(claimed_until__lt=now)
        ).update(claimed_until=now + CLAIM, claimed_by=token)
    mine = Message.objects.filter(pk__in=ids, claimed_by=token, state=Message.State.WAITING)
    return list(mine.select_related("link").order_by("next_at", "id"))


@dataclass(frozen=True)
class Attempt:
    status: int | None  # None: no answer (refused, timed out)
    answer: Any = None
    retry_after: dt.timedelta | None = None
    error: str = ""


def _post_all(requests: list[urllib.request.Request]) -> list[Attempt]:
    """The posts of a batch side by side. The threads only wait on the network (no
    database here) and are gone when this returns, before the worker starts any
    job process."""
    if len(requests) <= 1:
        return [send(r) for r in requests]
    with ThreadPoolExecutor(min(SENDERS, len(requests))) as pool:
        return list(pool.map(send, requests))


def deliver(message: Message, now: dt.datetime) -> bool:
    """One attempt now; the message and its link updated with what came of it."""
    return record(message, send(request_new(message, now)), now)


def record(message: Message, attempt: Attempt, now: dt.datetime) -> bool:
    """What came of an attempt, on the message and its link: True when delivered."""
    link = message.link
    message.attempts += 1
    message.last_status = attempt.status
    message.claimed_until = None
    if succeeded(attempt.status):
        message.state = Message.State.DELIVERED
        message.delivered_at = now
        message.answer = attempt.answer
        message.last_error = ""
        message.save()
        _link_answered(link, now)
        return True
    message.last_error = attempt.error[:300]
    if attempt.status == 410:
        Link.objects.filter(pk=link.pk).update(
            enabled=False, disabled_reason=f"对方答复 410 Gone（{now:%Y-%m-%d %H:%M}）"
        )
    elif message.attempts > len(RETRY):
        message.state = Message.State.DEAD
    else:
        message.next_at = now + _wait(message.attempts, attempt)
    message.save()
    Link.objects.filter(pk=link.pk).update(last_failure_at=now, last_error=message.last_error)
    return False


def _wait(attempts: int, attempt: Attempt) -> dt.timedelta:
    if attempt.retry_after is not None and attempt.status in THROTTLE:
        return min(attempt.retry_after, LONGEST_WAIT)
    step = RETRY[attempts - 1] * settings.LINKS_RETRY_SCALE
    return step * random.uniform(0.9, 1.1)


def _link_answered(link: Link, now: dt.datetime) -> None:
    """The link is back: what waits for it is due now (catch-up, in order)."""
    Link.objects.filter(pk=link.pk).update(last_success_at=now)
    if link.last_failure_at is not None:
        Message.objects.filter(link=link, state=Message.State.WAITING, next_at__gt=now).update(
            next_at=now
        )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is a failure (the spec): never followed to somewhere else.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def request_new(message: Message, now: dt.datetime) -> urllib.request.Request:
    """The attempt's request, signed now."""
    body = message.body.encode()
    headers = signing.headers(message.webhook_id, body, message.link.keys, now.timestamp())
    headers |= {"Content-Type": "application/json", "User-Agent": "Pingan-links/1"}
    return urllib.request.Request(inbox_url(message.link), data=body, headers=headers)


def send(request: urllib.request.Request) -> Attempt:
    """One POST and its answer (no database: it may run in a sender thread)."""
    now = timezone.now()
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return Attempt(response.status, _json(response.read()))
    except urllib.error.HTTPError as exc:
        text = exc.read()
        answer = _json(text)
        said = answer.get("message") if isinstance(answer, dict) else None
        return Attempt(
            exc.code,
            answer,
            _retry_after(exc.headers.get("Retry-After"), now),
            f"HTTP {exc.code}: {said or text[:200].decode('utf-8', 'replace')}",
        )
    except (OSError, ValueError) as exc:
        return Attempt(None, error=f"无法连接：{exc}")


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        return None


def _retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """Seconds, or an HTTP date."""
    if not value:
        return None
    if value.strip().isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        return max(parsedate_to_datetime(value) - now, dt.timedelta(0))
    except (TypeError, ValueError):
        return None


def replay(link: Link, now: dt.datetime | None = None) -> int:
    """The link's dead letters waiting again, due now, their attempts counted anew."""
    now = now or timezone.now()
    return Message.objects.filter(link=link, state=Message.State.DEAD).update(
        state=Message.State.WAITING, attempts=0, next_at=now, claimed_until=None
    )
