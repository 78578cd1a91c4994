"""Where a `next=` may send the browser: a page of this site, never another host
(an open redirect turns our domain into a phishing link)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def next_page(request: HttpRequest, fallback: str) -> str:
    """The `next` of the form or query if it is same-site; `fallback` (a URL or a
    URL name) otherwise."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return wanted if wanted and safe else resolve_url(fallback)
