"""What every view needs of a request, written once."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:  # the type only: lib sits below the apps
    from pingan.accounts.models import User


class StaffRequest(HttpRequest):
    """A request behind @login_required: its user is a real account."""

    user: User  # type: ignore[assignment]


def client_ip(request: HttpRequest) -> str:
    """The address the journal and the rate limits record. A request that came
    through one of PINGAN_TRUSTED_PROXIES (our nginx, deploy/) carries the client's
    address in X-Real-IP, which that proxy sets and a client cannot; any other
    request's X-Real-IP is the client's own say and is ignored."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    if peer in settings.TRUSTED_PROXIES:
        return str(request.META.get("HTTP_X_REAL_IP", "")).strip() or peer
    return peer


def attachment(name: str, fallback: str = "") -> str:
    """The Content-Disposition of a download named `name`. A Chinese name goes in
    filename* (RFC 6266), with `fallback` as the plain name for browsers that read
    no filename*."""
    if name.isascii():
        return f'attachment; filename="{name}"'
    plain = fallback or f"download.{name.rsplit('.', 1)[-1]}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
