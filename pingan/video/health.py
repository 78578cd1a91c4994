"""The camera network's health, each round of the worker (jobs.rounds): a camera
silent for three keepalive intervals is offline; one offline longer than
PINGAN_CAMERA_OFFLINE_HOURS gets a maintenance event to its 维护单位, once per
outage (the event is told when the camera is back, see services._outage)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from pingan.lib.errors import DomainError
from pingan.things.services import part_report_damage
from pingan.video.models import Camera, CameraOutage
from pingan.video.services import cameras_status

MISSED = 3  # keepalives missed before a camera counts as offline


def sweep(now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    silent = now - dt.timedelta(seconds=MISSED * settings.CAMERA_KEEPALIVE_SECONDS)
    quiet = list(Camera.objects.filter(online=True, last_seen__lt=silent).select_related("part"))
    went = len(cameras_status(quiet, False, reason=f"连续{MISSED}次未收到心跳", at=now))
    opened = _maintenance(now)
    if not (went or opened):
        return ""
    return f"摄像机离线 {went}，维护事件 {opened}"


def _maintenance(now: dt.datetime) -> int:
    long_ago = now - dt.timedelta(hours=settings.CAMERA_OFFLINE_HOURS)
    due = CameraOutage.objects.filter(ended_at=None, event=None, started_at__lt=long_ago)
    opened = 0
    for outage in due.select_related("camera__part__part_class__group", "camera__part__grid"):
        camera = outage.camera
        since = timezone.localtime(outage.started_at)
        try:
            intake = part_report_damage(
                actor=None,
                part=camera.part,
                description=f"摄像机 {camera.device_id} 自 {since:%m-%d %H:%M} 起离线，请检修",
            )
        except DomainError:
            continue  # the part already has an open event: that one is the repair
        outage.event = intake.event
        outage.save(update_fields=["event"])
        opened += 1
    return opened
