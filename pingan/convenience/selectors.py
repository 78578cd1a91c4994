"""Reading the convenience services: villages to choose from and estates (anyone);
appointments (the centres of their part of the tree only)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF, User
from pingan.convenience.models import Appointment, Estate
from pingan.events.lifecycle import OPEN


def appointments_for(user: User) -> QuerySet:
    if user.role not in CENTRE_STAFF and not user.is_superuser:
        return Appointment.objects.none()
    return access.scope(user, Appointment.objects.select_related("village"))


def estates(village_code: str = "") -> QuerySet:
    found = Estate.objects.select_related("village", "village__parent")
    if village_code:
        found = found.filter(village__code=village_code)
    return found.annotate(
        complaint_count=Count("complaints"),
        open_count=Count(
            "complaints",
            filter=Q(complaints__event__state__in=OPEN),
        ),
    )


def estates_for(user: User) -> QuerySet:
    return access.scope(user, estates())
