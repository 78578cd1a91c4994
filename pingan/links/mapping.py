"""Codes across a link: categories, departments and regions are translated by the
tables an administrator keeps, never guessed. A code without a row refuses the
message (sending: it is not written; receiving: the peer tries again later) and
is listed for the administrator (Unmapped), who adds the row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pingan.lib.errors import DomainError
from pingan.links.models import Link, Mapping, MappingKind, Unmapped


class UnmappedCode(DomainError):
    code = "unmapped"

    def __init__(self, link: Link, kind: str, missing: str, direction: str) -> None:
        label = MappingKind(kind).label
        super().__init__(
            f"{link.name}的{label}代码 {missing} 未建立对照，请管理员在「互联互通」中补充"
        )
        self.link, self.kind, self.missing, self.direction = link, kind, missing, direction


def theirs(link: Link, kind: str, ours_: str) -> str:
    """Our code as the peer knows it (for a message we send)."""
    found = Mapping.objects.filter(link=link, kind=kind, ours=ours_)
    return _found(found.values_list("theirs", flat=True).first(), link, kind, ours_, "out")


def ours(link: Link, kind: str, theirs_: str) -> str:
    """The peer's code as we know it (in a message received)."""
    found = Mapping.objects.filter(link=link, kind=kind, theirs=theirs_)
    return _found(found.values_list("ours", flat=True).first(), link, kind, theirs_, "in")


def _found(value: str | None, link: Link, kind: str, code: str, direction: str) -> str:
    if value is None:
        raise UnmappedCode(link, kind, code, direction)
    return value


def unmapped_note(refused: UnmappedCode, now: dt.datetime | None = None) -> None:
    """The code listed for the administrator. Called once the refused change has
    rolled back (a note made inside it would roll back with it)."""
    now = now or timezone.now()
    key = {"link": refused.link, "kind": refused.kind, "code": refused.missing}
    key["direction"] = refused.direction
    updated = Unmapped.objects.filter(**key).update(times=F("times") + 1, last_seen=now)
    if not updated:
        Unmapped.objects.create(**key, first_seen=now, last_seen=now)


def mapping_set(link: Link, kind: str, ours_: str, theirs_: str) -> Mapping:
    """A row of the table (replacing what either code was mapped to), and the code
    no longer listed as unmapped."""
    with transaction.atomic():
        Mapping.objects.filter(link=link, kind=kind).filter(ours=ours_).delete()
        Mapping.objects.filter(link=link, kind=kind).filter(theirs=theirs_).delete()
        row = Mapping.objects.create(link=link, kind=kind, ours=ours_, theirs=theirs_)
        Unmapped.objects.filter(link=link, kind=kind, code=ours_, direction="out").delete()
        Unmapped.objects.filter(link=link, kind=kind, code=theirs_, direction="in").delete()
    return row
