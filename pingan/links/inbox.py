"""Receiving: the signature checked over the raw bytes first, then the message
applied once. A repeat of a webhook id gets the first answer again (the same id
with another body: 409). An ordered message ahead of its subject's next is held
(202) and applied when the ones before it have come; nothing is applied twice
or out of order. The message row, its effect and its answer commit together, so
a crash before the answer means the sender tries again and nothing is lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from pingan.lib.errors import DomainError
from pingan.links import mapping, signing
from pingan.links.handlers import HANDLERS
from pingan.links.models import Link, Received, Subject


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def _refusal(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error": code, "message": message})


def receive(code: str, headers: dict[str, str], body: bytes, now: dt.datetime) -> Answer:
    link = Link.objects.filter(region_code=code).first()
    if link is None:
        return _refusal(404, "unknown_link", f"本平台未与 {code} 建立互联")
    if not link.enabled:
        return _refusal(410, "link_disabled", "本平台已停用与贵方的互联")
    try:
        webhook_id = signing.verify(headers, body, link.keys, now.timestamp())
    except signing.SignatureError as exc:
        return _refusal(401, exc.code, str(exc))
    digest = hashlib.sha256(body).hexdigest()
    seen = Received.objects.filter(link=link, webhook_id=webhook_id).first()
    if seen is not None:
        return _again(seen, digest)
    try:
        envelope = _envelope(body)
    except DomainError as exc:
        return _refusal(400, "bad_message", str(exc))
    try:
        with transaction.atomic():
            return _accept(link, webhook_id, digest, envelope, body, now)
    except DomainError as exc:
        # Not stored: the sender tries again later, when it may apply.
        if isinstance(exc, mapping.UnmappedCode):
            mapping.unmapped_note(exc, now)
        return _refusal(422, getattr(exc, "code", "refused"), str(exc))


def _again(seen: Received, digest: str) -> Answer:
    if seen.body_hash != digest:
        return _refusal(409, "id_reused", "同一 webhook-id 的消息内容不同")
    return Answer(200 if seen.state == Received.State.APPLIED else 202, seen.answer)


@dataclass(frozen=True)
class Envelope:
    type: str
    subject: str
    seq: int
    data: dict[str, Any]


def _envelope(body: bytes) -> Envelope:
    try:
        value = json.loads(body)
    except ValueError:
        raise DomainError("消息体不是 JSON") from None
    if not isinstance(value, dict):
        raise DomainError("消息体须是 JSON 对象")
    kind, subject, seq, data = (value.get(k) for k in ("type", "subject", "seq", "data"))
    if kind not in HANDLERS:
        raise DomainError(f"未知的消息类型：{kind}")
    if not isinstance(subject, str) or not isinstance(seq, int) or seq < 0:
        raise DomainError("subject 须是字符串，seq 须是非负整数")
    if seq and not subject:
        raise DomainError("有序消息须有 subject")
    if not isinstance(data, dict):
        raise DomainError("data 须是 JSON 对象")
    return Envelope(kind, subject, seq, data)


def _accept(
    link: Link, webhook_id: str, digest: str, envelope: Envelope, body: bytes, now: dt.datetime
) -> Answer:
    row = Received(
        link=link,
        webhook_id=webhook_id,
        body_hash=digest,
        type=envelope.type,
        subject=envelope.subject,
        seq=envelope.seq,
        body=body.decode(),
        received_at=now,
    )
    if not envelope.seq:
        return _apply(row, envelope, now)
    subject = _locked(link, envelope.subject)
    if (
        envelope.seq <= subject.applied_seq
        or Received.objects.filter(link=link, subject=envelope.subject, seq=envelope.seq).exists()
    ):
        # The same step under another id (the sender's replay): already here.
        return Answer(200, {"duplicate": True, "applied_seq": subject.applied_seq})
    if envelope.seq > subject.applied_seq + 1:
        row.state = Received.State.HELD
        row.answer = {"held": True, "waiting_for": subject.applied_seq + 1}
        row.save()
        return Answer(202, row.answer)
    answer = _apply(row, envelope, now)
    Subject.objects.filter(pk=subject.pk).update(applied_seq=F("applied_seq") + 1)
    apply_held(link, envelope.subject, now)
    return answer


def _locked(link: Link, name: str) -> Subject:
    Subject.objects.get_or_create(link=link, name=name)
    return Subject.objects.select_for_update().get(link=link, name=name)


def _apply(row: Received, envelope: Envelope, now: dt.datetime) -> Answer:
    result = HANDLERS[envelope.type](row.link, envelope.data, now)
    row.state = Received.State.APPLIED
    row.answer = {"ok": True, **result}
    row.applied_at = now
    row.save()
    return Answer(200, row.answer)


def apply_held(link: Link, name: str, now: dt.datetime) -> int:
    """The held messages of a subject that are next, applied in order (in the
    caller's transaction, the subject locked). One that is refused stays held
    and is tried again by the worker's round."""
    subject = _locked(link, name)
    applied = 0
    while True:
        row = Received.objects.filter(
            link=link, subject=name, seq=subject.applied_seq + 1, state=Received.State.HELD
        ).first()
        if row is None:
            return applied
        envelope = _envelope(row.body.encode())
        try:
            with transaction.atomic():
                _apply(row, envelope, now)
        except DomainError:
            return applied
        subject.applied_seq += 1
        Subject.objects.filter(pk=subject.pk).update(applied_seq=subject.applied_seq)
        applied += 1


def held_round(now: dt.datetime) -> str:
    """The worker's round: chains whose next message is held (it was refused when
    its turn came), tried again."""
    applied = 0
    waiting = (
        Received.objects.filter(state=Received.State.HELD)
        .values_list("link_id", "subject")
        .distinct()
    )
    for link_id, name in waiting:
        with transaction.atomic():
            applied += apply_held(Link.objects.get(pk=link_id), name, now)
    return f"互联互通：补处理 {applied} 条等待前序的消息" if applied else ""
