"""Rate limits and login locks, held where every process sees them and a restart
does not forget them: Redis when REDIS_URL is set, the database otherwise.

Logins: LOGIN_MAX_FAILURES failures for one account lock that account for
LOGIN_LOCK_SECONDS. An address is throttled, not locked: LOGIN_ADDRESS_FAILURES
failures from it within LOGIN_ADDRESS_SECONDS refuse its attempts until the window
ends, so a guesser slows down while the accounts behind a shared address (a
township office's one public IP) keep working once the window has passed.
Public pages and endpoints: so many uses per address and window (`spend`)."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone


class Store(Protocol):
    def hit(self, key: str, seconds: int) -> int:
        """Count one more in the key's window (opened now if none); the new count."""
        ...

    def count(self, key: str) -> int: ...

    def reset(self, key: str) -> None: ...


class RedisStore:
    def __init__(self, url: str):
        import redis

        self.redis = redis.Redis.from_url(url)

    def hit(self, key: str, seconds: int) -> int:
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, seconds, nx=True)  # the window opens with the first hit
        count, _ = pipe.execute()
        return int(count)

    def count(self, key: str) -> int:
        return int(self.redis.get(key) or 0)

    def reset(self, key: str) -> None:
        self.redis.delete(key)


class DatabaseStore:
    """One row per key; the increment is one conditional UPDATE, so concurrent
    requests in several processes never lose a count."""

    def hit(self, key: str, seconds: int) -> int:
        from pingan.accounts.models import RateCounter

        now = timezone.now()
        live = RateCounter.objects.filter(key=key, expires_at__gt=now)
        for _ in range(3):
            if live.update(count=F("count") + 1):
                return live.values_list("count", flat=True).first() or 1
            try:
                with transaction.atomic():
                    RateCounter.objects.filter(key=key, expires_at__lte=now).delete()
                    expires = now + dt.timedelta(seconds=seconds)
                    RateCounter.objects.create(key=key, count=1, expires_at=expires)
                if random.random() < 0.01:  # now and then, drop the windows long over
                    RateCounter.objects.filter(expires_at__lte=now).delete()
                return 1
            except IntegrityError:  # another request opened the window first
                continue
        return live.values_list("count", flat=True).first() or 1

    def count(self, key: str) -> int:
        from pingan.accounts.models import RateCounter

        live = RateCounter.objects.filter(key=key, expires_at__gt=timezone.now())
        return live.values_list("count", flat=True).first() or 0

    def reset(self, key: str) -> None:
        from pingan.accounts.models import RateCounter

        RateCounter.objects.filter(key=key).delete()


@cache
def _store_for(redis_url: str) -> Store:
    return RedisStore(redis_url) if redis_url else DatabaseStore()


def store() -> Store:
    return _store_for(settings.REDIS_URL)


def _account(username: str) -> str:
    return f"login-fail:user:{username.strip().lower()[:150]}"


def _address(ip: str) -> str:
    return f"login-fail:ip:{ip}"


def is_locked(username: str) -> bool:
    return store().count(_account(username)) >= settings.LOGIN_MAX_FAILURES


def is_throttled(ip: str) -> bool:
    return store().count(_address(ip)) >= settings.LOGIN_ADDRESS_FAILURES


def record_failure(username: str, ip: str) -> None:
    store().hit(_account(username), settings.LOGIN_LOCK_SECONDS)
    store().hit(_address(ip), settings.LOGIN_ADDRESS_SECONDS)


def clear(username: str) -> None:
    store().reset(_account(username))


class Throttled(Exception):
    """Too many uses from one address: the API answers 429."""


def spend(what: str, ip: str, limit: int, seconds: int = 3600) -> bool:
    """Count one use of `what` from `ip`; False once `limit` uses were made in the
    window. For the resident's pages and the public API: enough for a family or a
    kiosk, not for a script."""
    return store().hit(f"throttle:{what}:{ip}", seconds) <= limit
