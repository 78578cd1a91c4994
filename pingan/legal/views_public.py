"""青小律 for residents: a conversation page (text, and voice where the browser
offers it) on a phone or the hall's kiosk, and the request for people's
mediation it offers. No login."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pingan.accounts import ratelimit
from pingan.legal import services
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.regions.models import Region
from pingan.regions.selectors import villages_by_township

REQUESTS_PER_HOUR = 10  # per address


def assistant(request: HttpRequest) -> HttpResponse:
    townships = Region.objects.filter(level=Level.TOWNSHIP, active=True).order_by("code")
    context = {
        "kiosk": request.GET.get("kiosk") == "1",
        "voice": settings.LEGAL_VOICE,
        "townships": townships,
    }
    return render(request, "legal/assistant.html", context)


@require_http_methods(["GET", "POST"])
def mediation(request: HttpRequest) -> HttpResponse:
    form = request.POST if request.method == "POST" else request.GET
    errors: list[str] = []
    context = {"form": form, "errors": errors, "townships": villages_by_township()}
    if request.method == "GET":
        return render(request, "legal/mediation.html", context)
    if not ratelimit.spend("mediation", client_ip(request), REQUESTS_PER_HOUR):
        errors.append("提交太频繁，请稍后再试")
        return render(request, "legal/mediation.html", context, status=429)
    try:
        event = services.mediation_request(
            village_code=form.get("village", ""),
            description=form.get("description", ""),
            name=form.get("name", ""),
            phone=form.get("phone", ""),
            ip=client_ip(request),
        )
    except DomainError as exc:
        errors.append(str(exc))
        return render(request, "legal/mediation.html", context, status=422)
    return redirect(f"/t/{event.receipt}/?new=1")
