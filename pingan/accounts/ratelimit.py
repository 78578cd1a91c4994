"""Rate limits. Logins: after LOGIN_MAX_FAILURES failed logins for one account or
from one address, further attempts are refused for LOGIN_LOCK_SECONDS. Public
pages and endpoints: so many uses per address and window (`spend`)."""

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


class Throttled(Exception):
    """Too many uses from one address: the API answers 429."""


def spend(what: str, ip: str, limit: int, seconds: int = 3600) -> bool:
    """Count one use of `what` from `ip`; False once `limit` uses were made in the
    window. For the resident's pages and the public API: enough for a family or a
    kiosk, not for a script."""
    key = f"throttle:{what}:{ip}"
    if cache.add(key, 1, seconds):
        return True
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        return True
    return used <= limit
