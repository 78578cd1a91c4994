"""Linking and looking after links: add one (its first key made here when none
is given), rotate and retire keys, test it with a signed ping, and each link's
health for the administrator. Every change is journaled."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from pingan.audit.services import journal_write
from pingan.lib.errors import DomainError
from pingan.links import mapping, outbox, signing
from pingan.links.models import Link, MappingKind, Message, Side, Unmapped


class LinkError(DomainError):
    pass


def link_add(
    *, actor: object, name: str, side: str, code: str, url: str, key: str = ""
) -> tuple[Link, str]:
    """The link and its key (made here when not given: give it to the peer's
    administrator, who adds this platform with the same key)."""
    if side not in Side.values:
        raise LinkError("方向应为 upper（上级平台）或 lower（下级平台）")
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise LinkError("对方区划代码应为 6、9 或 12 位数字")
    if not url.startswith(("http://", "https://")):
        raise LinkError("对方地址应以 http:// 或 https:// 开头")
    if Link.objects.filter(region_code=code).exists():
        raise LinkError(f"已与 {code} 建立互联")
    key = key or signing.new_secret()
    try:
        signing.key_bytes(key)
    except ValueError as exc:
        raise LinkError(str(exc)) from None
    with transaction.atomic():
        link = Link.objects.create(name=name, side=side, region_code=code, base_url=url, keys=[key])
        _journal(actor, "link.add", link, {"side": side, "url": url})
    return link, key


def key_add(*, actor: object, link: Link, key: str = "") -> str:
    """A new key, first in the list: both keys sign and are accepted until the old
    one is retired on both sides."""
    key = key or signing.new_secret()
    signing.key_bytes(key)
    with transaction.atomic():
        link.keys = [key, *[k for k in link.keys if k != key]]
        link.save(update_fields=["keys"])
        _journal(actor, "link.key_add", link, {"keys": len(link.keys)})
    return key


def key_retire(*, actor: object, link: Link) -> None:
    """The oldest key dropped (the last one is never dropped)."""
    if len(link.keys) < 2:
        raise LinkError("只有一个密钥，不能停用")
    with transaction.atomic():
        link.keys = link.keys[:-1]
        link.save(update_fields=["keys"])
        _journal(actor, "link.key_retire", link, {"keys": len(link.keys)})


def link_enable(*, actor: object, link: Link) -> None:
    with transaction.atomic():
        Link.objects.filter(pk=link.pk).update(enabled=True, disabled_reason="")
        _journal(actor, "link.enable", link, {})


def replay(*, actor: object, link: Link) -> int:
    with transaction.atomic():
        count = outbox.replay(link)
        _journal(actor, "link.replay", link, {"messages": count})
    return count


def _journal(actor: object, action: str, link: Link, data: dict) -> None:
    journal_write(
        actor=actor,
        action=action,
        object_type="link",
        object_id=link.region_code,
        data={"name": link.name, **data},
    )


def codes_map(*, actor: object, link: Link, kind: str, pairs: list[tuple[str, str]]) -> int:
    """Rows of a code table (ours, theirs), journaled together."""
    if kind not in MappingKind.values:
        raise LinkError(f"未知的代码种类：{kind}（category、department 或 region）")
    with transaction.atomic():
        for ours, theirs in pairs:
            mapping.mapping_set(link, kind, ours, theirs)
        _journal(actor, "link.map", link, {"kind": kind, "rows": len(pairs)})
    return len(pairs)


def same_categories() -> list[tuple[str, str]]:
    """Every category mapped to the same code: for platforms on the same table
    (GB/T 31000's, as Pingan ships it); an administrator's choice, never assumed."""
    from pingan.events.models import Category

    return [(code, code) for code in Category.objects.values_list("code", flat=True)]


@dataclass(frozen=True)
class Tested:
    ok: bool
    status: int | None
    said: str
    seconds: float


def link_test(link: Link) -> Tested:
    """A signed ping sent now, outside the outbox (an administrator's check that
    the address, the keys and both clocks are right; nothing is changed)."""
    message = outbox.message_new(link, "link.ping", {}, subject="", seq=0, now=timezone.now())
    started = timezone.now()
    attempt = outbox.send(outbox.request_new(message, started))
    seconds = (timezone.now() - started).total_seconds()
    ok = outbox.succeeded(attempt.status)
    said = json.dumps(attempt.answer, ensure_ascii=False) if ok else attempt.error
    return Tested(ok, attempt.status, said, seconds)


@dataclass(frozen=True)
class Health:
    link: Link
    waiting: int
    oldest_waiting: dt.datetime | None
    failing: int  # waiting after at least one failed attempt
    dead: int
    delivered_today: int
    unmapped: int


def health_all(now: dt.datetime | None = None) -> list[Health]:
    """Each link's queue as the administrator's page shows it."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    waiting, dead = Message.State.WAITING, Message.State.DEAD
    links = Link.objects.annotate(
        waiting=Count("messages", filter=Q(messages__state=waiting)),
        oldest=Min("messages__created_at", filter=Q(messages__state=waiting)),
        failing=Count("messages", filter=Q(messages__state=waiting, messages__attempts__gt=0)),
        dead=Count("messages", filter=Q(messages__state=dead)),
        today=Count(
            "messages",
            filter=Q(messages__state=Message.State.DELIVERED, messages__delivered_at__gte=today),
        ),
    )
    unmapped = dict(
        Unmapped.objects.values_list("link").annotate(n=Count("id")).values_list("link", "n")
    )
    return [
        Health(k, k.waiting, k.oldest, k.failing, k.dead, k.today, unmapped.get(k.pk, 0))
        for k in links
    ]
