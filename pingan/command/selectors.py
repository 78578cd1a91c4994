"""Reads of the command centre's own records, scoped like every other read."""

from __future__ import annotations

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
