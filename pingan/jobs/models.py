"""Background work as rows: an upload to import, the statutes to embed. Whoever
asks stores a row; `pingan worker` claims it with a conditional update and runs it
in a fresh process; the row carries progress and outcome, so a page can follow it
and a restart loses nothing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(max_length=40)  # a handler registered in pingan.jobs.handlers
    args = models.JSONField(default=dict)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    worker = models.CharField(max_length=100, blank=True)  # host:pid of the claimer
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class Lease(models.Model):
    """Which worker runs a round (the time-limit sweep, deliveries, checkpoints)
    now, so that of several workers on several hosts one runs it at a time. Taken
    for ROUND_LEASE_SECONDS and given back when the round ends; a worker killed
    mid-round leaves it to lapse, and another takes the round over then."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)  # host:pid, as Job.worker
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} → {self.holder or '无人'}"
