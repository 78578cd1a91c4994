"""Queue, claim and run jobs. A claim is a conditional UPDATE on the row's status,
like the time-limit sweep's, so two workers (or two hosts) never run one job; on
PostgreSQL the candidate is also picked with SELECT … FOR UPDATE SKIP LOCKED, so
workers do not queue behind each other's row locks."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import traceback

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Now
from django.utils import timezone

from pingan.jobs.handlers import HANDLERS
from pingan.jobs.models import Job, Lease

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a job whose process died this often is given up


EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def lease_take(name: str, holder: str, now: dt.datetime | None = None) -> bool:
    """Hold the round `name` for ROUND_LEASE_SECONDS unless another holder's lease
    still runs. The row is made once (a conflict is ignored, so two first takers
    do not fail) and taken by a conditional UPDATE: one statement, one winner,
    on SQLite and PostgreSQL alike, and through a transaction-mode pooler."""
    now = now or timezone.now()
    Lease.objects.bulk_create([Lease(name=name, until=EPOCH)], ignore_conflicts=True)
    until = now + dt.timedelta(seconds=settings.ROUND_LEASE_SECONDS)
    free = Q(until__lt=now) | Q(holder=holder)
    return bool(Lease.objects.filter(free, name=name).update(holder=holder, until=until))


def lease_give(name: str, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).update(holder="", until=EPOCH)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def job_enqueue(*, kind: str, args: dict | None = None) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    return Job.objects.create(kind=kind, args=args or {})


def job_claim(worker: str, kinds: list[str] | None = None) -> Job | None:
    """The oldest pending job, now running under `worker`; None when there is none."""
    now = timezone.now()
    with transaction.atomic():
        pending = Job.objects.filter(status=Job.Status.PENDING)
        if kinds is not None:
            pending = pending.filter(kind__in=kinds)
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        candidate = pending.order_by("id").values_list("pk", flat=True).first()
        if candidate is None:
            return None
        claimed = Job.objects.filter(pk=candidate, status=Job.Status.PENDING).update(
            status=Job.Status.RUNNING,
            worker=worker,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=now,
        )
    return Job.objects.get(pk=candidate) if claimed else None


class Superseded(RuntimeError):
    """The job was taken for dead and given to another process: stop, change nothing."""


def job_beat(job_ids: list[int]) -> None:
    """The worker vouches for the jobs its live children are running. Now() is the
    database's clock when the row is written, not when the UPDATE waited for a lock."""
    Job.objects.filter(pk__in=job_ids, status=Job.Status.RUNNING).update(heartbeat_at=Now())


def job_execute(job: Job) -> Job:
    """Run a claimed job here and record how it ended."""
    handler = HANDLERS[job.kind]
    mine = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)

    def progress(done: int, total: int) -> None:
        """Also the handler's proof, before it commits, that the job is still its own."""
        if not mine.update(done=done, total=total, heartbeat_at=Now()):
            raise Superseded(f"job {job.pk} was given to another process")

    try:
        message = handler.run(job, progress)
    except Superseded:
        log.warning("job %s superseded; this run stops", job.pk)
        raise
    except Exception as exc:  # the row must say it failed, not look busy for ever
        log.exception("job %s failed", job.pk)
        _finish(mine, Job.Status.FAILED, f"{exc}\n{traceback.format_exc(limit=5)}")
        raise
    _finish(mine, Job.Status.DONE, message)
    return Job.objects.get(pk=job.pk)


def _finish(mine: QuerySet[Job], status: str, message: str) -> None:
    mine.update(status=status, message=message[:5000], finished_at=timezone.now())


def job_recover(now: dt.datetime | None = None) -> int:
    """Jobs whose process died (no heartbeat for JOB_STALE_SECONDS) go back to the
    queue, or are given up after MAX_ATTEMPTS; the number recovered or given up."""
    now = now or timezone.now()
    stale = Job.objects.filter(
        status=Job.Status.RUNNING,
        heartbeat_at__lt=now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS),
    )
    count = 0
    for job in stale:
        if job.attempts < MAX_ATTEMPTS:
            moved = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.PENDING, worker=""
            )
        else:
            message = f"进程中断 {job.attempts} 次，已放弃"
            moved = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, message=message, finished_at=now
            )
            handler = HANDLERS.get(job.kind)
            if moved and handler and handler.given_up:
                handler.given_up(job, message)
        count += moved
    return count
