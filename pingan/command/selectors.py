"""Reads of the command centre's own records, scoped like every other read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import Role, User
from pingan.command.models import SupervisionNotice


def notices_for_user(user: User) -> QuerySet[SupervisionNotice]:
    """Centres see the notices of their subtree; a department sees those issued to it."""
    if user.role == Role.DEPARTMENT:
        return SupervisionNotice.objects.filter(
            Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
        )
    return access.scope(user, SupervisionNotice.objects.all())


def notice_get_for_user(user: User, notice_id: int) -> SupervisionNotice:
    notice = notices_for_user(user).filter(pk=notice_id).select_related("event").first()
    if notice is None:
        raise Http404("没有找到该督办单，或无权查看")
    return notice


# The platforms below this one (互联互通: links/apps.py adds its source) and the
# figures each last sent, for the overview and the assessment: a list of Below for
# the user, empty where there are none or the user may not read them.
BELOW: list[Callable[[User], list[Below]]] = []


@dataclass(frozen=True)
class Below:
    name: str
    code: str
    url: str  # the page of that platform's own figures, drilled down
    sent: dict | None  # its overview and assessment as sent (None: nothing yet)
    day: dt.date | None = None
    received_at: dt.datetime | None = None


def below(user: User) -> list[Below]:
    return [row for source in BELOW for row in source(user)]
