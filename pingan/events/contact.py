"""The reporter's name and phone, for the call back (回访): masked on the event
page; shown in full only to a user with the contact grant, for a reason, and
journaled, like an identity number."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pingan.accounts import access
from pingan.accounts.models import GrantKind, User
from pingan.audit.services import journal_write
from pingan.events.models import Event
from pingan.lib.errors import DomainError
from pingan.lib.text import mask_name, mask_phone


class ContactRefused(DomainError):
    pass


def masked(event: Event) -> dict:
    return {
        "name": mask_name(event.reporter_name),
        "phone": mask_phone(event.reporter_phone) if event.reporter_phone else "",
        "full": False,
    }


def may_reveal(user: User) -> bool:
    return access.has_grant(user, GrantKind.CONTACT)


def reveal(*, actor: User, event: Event, reason: str, ip: str = "") -> dict:
    """The caller has read the event through the scoped selector."""
    if not may_reveal(actor):
        raise PermissionDenied("没有查看反映人联系方式的授权")
    if len(reason.strip()) < 2:
        raise ContactRefused("查看反映人联系方式必须填写理由（如：回访）")
    if not (event.reporter_name or event.reporter_phone):
        raise ContactRefused("该事件没有留下反映人的姓名或电话")
    with transaction.atomic():
        journal_write(
            actor=actor,
            action="event.reveal_contact",
            object_type="event",
            object_id=event.pk,
            region_path=event.region_path,
            reason=reason.strip(),
            ip=ip,
        )
    return {"name": event.reporter_name, "phone": event.reporter_phone, "full": True}
