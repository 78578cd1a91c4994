"""慧停车's share of the worker's round (jobs.rounds): stays without an exit closed
as stale, stays left unpaid made 欠费, old plate images purged, and yesterday
reconciled once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pingan.parking import payments, services
from pingan.parking.models import Place, Reconciliation, SessionState


def sweep(now: dt.datetime) -> str:
    said = []
    if stale := services.stale_sweep(now):
        said.append(f"{stale} 条停车记录无离场，已按超时关闭")
    if owed := payments.arrears_sweep(now):
        said.append(f"{owed} 条停车记录转为欠费")
    if purged := services.images_purge(now):
        said.append(f"清除 {purged} 张过期车牌图片")
    yesterday = timezone.localdate(now) - dt.timedelta(days=1)
    if not Reconciliation.objects.filter(day=yesterday).exists():
        made = payments.reconcile(yesterday)
        said.append(f"{yesterday} 停车对账完成，{len(made.problems)} 项不符")
    return "；".join(said)


def recount(*, fix: bool) -> list[tuple[str, int, int]]:
    """Each place's live occupancy against its open stays counted again: the
    places that disagree (code, kept, counted), corrected when asked."""
    wrong = []
    counted = Place.objects.annotate(
        open=Count("sessions", filter=Q(sessions__state=SessionState.OPEN))
    )
    for place in counted:
        if place.open != place.occupied:
            wrong.append((place.code, place.occupied, place.open))
            if fix:
                with transaction.atomic():
                    locked = Place.objects.select_for_update().get(pk=place.pk)
                    now_open = locked.sessions.filter(state=SessionState.OPEN).count()
                    Place.objects.filter(pk=place.pk).update(occupied=now_open)
    return wrong
