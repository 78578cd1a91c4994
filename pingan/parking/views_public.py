"""The driver's pages (no login, on a phone): where the free spaces are, what a
plate owes (with a ticket of one of its stays) and paying it at once, leaving
with a ticket when the car has no plate, and the receipt."""

from __future__ import annotations

import io

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from pingan.accounts import ratelimit
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.parking import gateways, payments, plates, selectors, services
from pingan.parking.forms import NearForm, OwedForm, TicketForm
from pingan.parking.models import Order, OrderState

LOOKUPS_PER_HOUR = 30  # per address: a family's cars, not a plate scanner
TOO_MANY = "查询太频繁，请稍后再试"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    where = NearForm(request.GET)
    spot = where.cleaned_data if where.is_valid() else {}
    near = selectors.nearest(spot.get("lng"), spot.get("lat"))
    return render(
        request, "parking/public_home.html", {"near": near, "located": spot.get("lat") is not None}
    )


@require_http_methods(["GET", "POST"])
def owed(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"form": request.POST}
    if request.method == "GET":
        return render(request, "parking/public_owed.html", context)
    if not ratelimit.spend("parking-owed", client_ip(request), LOOKUPS_PER_HOUR):
        context["error"] = TOO_MANY
        return render(request, "parking/public_owed.html", context, status=429)
    try:
        sent = OwedForm(request.POST).cleaned()
        found = payments.owed_by(sent["plate"], sent["ticket"])
        if request.POST.get("pay") and found.total_fen:
            order = payments.order_create(found)
            return redirect("parking:order", number=order.number)
    except DomainError as exc:
        context["error"] = str(exc)
        return render(request, "parking/public_owed.html", context, status=422)
    context["owed"] = found
    return render(request, "parking/public_owed.html", context)


@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest) -> HttpResponse:
    """An unplated car at the exit: the driver gives the ticket the entry gate showed."""
    if request.method == "GET":
        return render(request, "parking/public_ticket.html", {})
    try:
        sent = TicketForm(request.POST).cleaned()
        stay = services.ticket_leave(sent["ticket"])
        if stay.due_fen == 0:
            messages.success(request, "无需缴费，请驶离")
            return redirect("parking:ticket")
        order = payments.order_create(payments.Owed("", [stay], []))
    except DomainError as exc:
        return render(
            request,
            "parking/public_ticket.html",
            {"error": str(exc), "form": request.POST},
            status=422,
        )
    return redirect("parking:order", number=order.number)


def _order(number: str) -> Order:
    found = Order.objects.filter(number=number).prefetch_related("lines__session__place").first()
    if found is None:
        raise Http404
    return found


@require_GET
def order(request: HttpRequest, number: str) -> HttpResponse:
    found = _order(number)
    context = {
        "order": found,
        "plate": plates.masked(found.plate) if found.plate else "无牌车",
        "qr": _qr_svg(
            request.build_absolute_uri(found.code_url)
            if found.code_url.startswith("/")
            else found.code_url
        ),
        "console": found.gateway == gateways.ConsoleGateway.name,
        "label": gateways.LABELS.get(found.gateway, ""),
    }
    return render(request, "parking/public_order.html", context)


@require_GET
def order_state(request: HttpRequest, number: str) -> JsonResponse:
    found = _order(number)
    return JsonResponse({"state": found.state, "paid": found.state == OrderState.PAID})


@require_http_methods(["GET", "POST"])
def console_pay(request: HttpRequest, number: str) -> HttpResponse:
    """The demo's wallet: confirming sends the console gateway's signed notice
    through the same path a real gateway's callback takes."""
    found = _order(number)
    if found.gateway != gateways.ConsoleGateway.name:
        raise Http404
    if request.method == "GET":
        return render(request, "parking/public_wallet.html", {"order": found})
    if found.state == OrderState.UNPAID:
        headers, body = gateways.ConsoleGateway().signed(
            found.number, f"console-{found.number}", found.amount_fen
        )
        payments.notice_receive(gateways.ConsoleGateway.name, headers, body)
    return redirect("parking:order", number=found.number)


def _qr_svg(content: str) -> str:
    out = io.BytesIO()
    segno.make(content, error="m").save(
        out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True
    )
    return out.getvalue().decode()
