"""Heavy reads from a streaming replica of PostgreSQL, when one is configured
(`DATABASE_REPLICA_URL`): the command centre, the assessment, reports, exports and
the big screen read many rows and change none, so they can be served by a copy
and leave the primary to the writes. Everything else reads the primary.

A view opts in with `@replica_reads`. Its reads go to the replica unless
- the user wrote something in the last few seconds (`READ_OWN_WRITES`): a
  dispatcher who just closed an event must see it closed on the overview, and the
  replica may not have replayed it yet (read your own writes, by a cookie the
  middleware sets after any successful write);
- the replica is too far behind (`REPLICA_MAX_LAG` seconds) or does not answer:
  then it is skipped, checked again after `REPLICA_CHECK_SECONDS`.

The check is kept per process (each server judges the replica for itself), so
nothing here needs to agree across hosts."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

T = TypeVar("T")
REPLICA = "replica"
WROTE_COOKIE = "pingan_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_heavy: ContextVar[bool] = ContextVar("pingan_heavy_reads", default=False)


@dataclass
class Health:
    """What this process last learned of the replica."""

    checked_at: float = float("-inf")
    lag: float | None = None  # seconds behind the primary; None: it did not answer
    error: str = ""

    @property
    def usable(self) -> bool:
        return self.lag is not None and self.lag <= settings.REPLICA_MAX_LAG


_health = Health()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def health(*, fresh: bool = False) -> Health:
    """The replica's lag, measured at most every REPLICA_CHECK_SECONDS."""
    if fresh or time.monotonic() - _health.checked_at >= settings.REPLICA_CHECK_SECONDS:
        _measure()
    return _health


def _measure() -> None:
    _health.checked_at = time.monotonic()
    try:
        with connections[REPLICA].cursor() as cursor:
            # Nothing waiting to be replayed: as fresh as the primary, however long
            # ago its last write was. Otherwise: how old the last replayed one is.
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
                "THEN 0 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) "
                "END, pg_is_in_recovery()"
            )
            lag, recovering = cursor.fetchone()
    except DatabaseError as exc:
        _health.lag, _health.error = None, str(exc).strip()[:200]
        connections[REPLICA].close()
        return
    if not recovering:
        _health.lag, _health.error = None, "该库不是备库（不在恢复状态）"
        return
    _health.lag, _health.error = float(lag or 0), ""


class Router:
    """DATABASE_ROUTERS: heavy reads to the replica while it is usable; all
    writes, and every other read, to the primary; migrations on the primary only
    (the replica follows by replaying them)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _heavy.get() and health().usable:
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == "default"


@contextlib.contextmanager
def heavy_reads() -> Iterator[None]:
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


def wrote_recently(request: HttpRequest) -> bool:
    return WROTE_COOKIE in request.COOKIES


def read(request: HttpRequest, reading: Callable[[], T]) -> T:
    """`reading()` from the replica, unless this user has just written (for code
    that is not a whole view: an API answer)."""
    if not configured() or wrote_recently(request):
        return reading()
    with heavy_reads():
        return reading()


def replica_reads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view's reads (its template rendered inside it) from the replica, unless
    this user has just written."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return read(request, lambda: view(request, *args, **kwargs))

    return wrapped


class ReadOwnWritesMiddleware:
    """After a write that succeeded, the user's heavy reads go to the primary for
    READ_OWN_WRITES seconds (a cookie that expires by itself)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if configured() and request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_cookie(
                WROTE_COOKIE,
                "1",
                max_age=settings.READ_OWN_WRITES,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
