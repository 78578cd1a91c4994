"""Login rate limiting: after LOGIN_MAX_FAILURES failed logins for one account or
from one address, further attempts are refused for LOGIN_LOCK_SECONDS."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str) -> list[str]:
    return [f"login-fail:user:{username.lower()}", f"login-fail:ip:{ip}"]


def is_locked(username: str, ip: str) -> bool:
    counts = cache.get_many(_keys(username, ip))
    return any(count >= settings.LOGIN_MAX_FAILURES for count in counts.values())


def record_failure(username: str, ip: str) -> None:
    for key in _keys(username, ip):
        if cache.add(key, 1, settings.LOGIN_LOCK_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.LOGIN_LOCK_SECONDS)


def clear(username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0])
