"""Who sees the links' pages, and what the city's page reads of its districts."""

from __future__ import annotations

from django.urls import reverse

from pingan.accounts.models import Role, User
from pingan.command.selectors import Below
from pingan.links.models import Checkpoint, Figures, Link, Message, Side, Unmapped

FIGURE_READERS = frozenset({Role.CITY_CENTRE, Role.LEADER, Role.ADMIN})


def may_administer(user: User) -> bool:
    """The links carry every event across: only the platform's administrator."""
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


def may_read_figures(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in FIGURE_READERS)


def dead_letters(limit: int = 50) -> list[Message]:
    dead = Message.objects.filter(state=Message.State.DEAD).select_related("link")
    return list(dead.order_by("-id")[:limit])


def unmapped() -> list[Unmapped]:
    return list(Unmapped.objects.select_related("link").order_by("-last_seen")[:100])


def checkpoint_conflicts() -> list[Checkpoint]:
    return list(Checkpoint.objects.filter(conflict=True).select_related("link")[:20])


def latest_figures(user: User) -> list[Below]:
    """Each district below with the last day of figures it sent (the command
    centre's overview and assessment show them too: command.views.BELOW)."""
    if not may_read_figures(user):
        return []
    rows = []
    for link in Link.objects.filter(side=Side.LOWER).order_by("region_code"):
        sent = link.figures.order_by("-day").first()
        rows.append(
            Below(
                name=link.name,
                code=link.region_code,
                url=reverse("links:district", args=[link.region_code]),
                sent=sent.data if sent else None,
                day=sent.day if sent else None,
                received_at=sent.received_at if sent else None,
            )
        )
    return rows


def district_figures(code: str) -> tuple[Link, Figures | None] | None:
    link = Link.objects.filter(side=Side.LOWER, region_code=code).first()
    if link is None:
        return None
    return link, link.figures.order_by("-day").first()
