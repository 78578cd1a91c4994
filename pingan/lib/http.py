"""What every view needs of a request, written once."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from django.http import HttpRequest

if TYPE_CHECKING:  # the type only: lib sits below the apps
    from pingan.accounts.models import User


class StaffRequest(HttpRequest):
    """A request behind @login_required: its user is a real account."""

    user: User  # type: ignore[assignment]


def client_ip(request: HttpRequest) -> str:
    """The address the journal and the rate limits record. Behind a reverse proxy,
    the proxy sets REMOTE_ADDR (deploy/), never a header the client controls."""
    return str(request.META.get("REMOTE_ADDR", ""))


def attachment(name: str, fallback: str = "") -> str:
    """The Content-Disposition of a download named `name`. A Chinese name goes in
    filename* (RFC 6266), with `fallback` as the plain name for browsers that read
    no filename*."""
    if name.isascii():
        return f'attachment; filename="{name}"'
    plain = fallback or f"download.{name.rsplit('.', 1)[-1]}"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
