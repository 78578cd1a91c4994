"""Where plate cameras and payment gateways call in (no session, no CSRF:
neither has them). Cameras are bound by serial number on a private network, as
the vendors' protocol is; gateways by their signatures. A camera's every answer
is JSON, an error too, so it never hangs on a page."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.parking import gateways, payments, push

log = logging.getLogger(__name__)

CHINESE = {"ensure_ascii": False}


@csrf_exempt
@require_POST
def zhenshi(request: HttpRequest) -> JsonResponse:
    """The 臻识 AlarmInfoPlate push and heartbeat: info "ok" opens the barrier."""
    try:
        value = push.body_json(request.body)
        read = push.zhenshi(value, timezone.now())
    except push.PushError as exc:
        return JsonResponse(
            {"Response_AlarmInfoPlate": {"info": "no", "error": str(exc)}},
            status=400,
            json_dumps_params=CHINESE,
        )
    outcome = push.receive(read, client_ip(request))
    if read.heartbeat and "heartbeat" in value:
        return JsonResponse(
            {"Response_Heartbeat": {"info": "no", "shutoff": "no", "snapnow": "no"}}
        )
    reply: dict[str, object] = {"info": "no"}
    if outcome is not None:
        reply = {
            "info": "ok" if outcome.open_gate else "no",
            "content": outcome.say,
            "is_pay": "true",
        }
        if read.source_id.isdigit():
            reply["plateid"] = int(read.source_id)
    return JsonResponse({"Response_AlarmInfoPlate": reply}, json_dumps_params=CHINESE)


@csrf_exempt
@require_POST
def notify(request: HttpRequest, gateway: str) -> HttpResponse:
    """A payment gateway's callback, answered as that gateway expects. A second
    payment of one order is refunded after the answer is decided."""
    try:
        channel = gateways.gateway(gateway)
    except gateways.GatewayError:
        return HttpResponse("unknown gateway", status=404, content_type="text/plain")
    try:
        payment = payments.notice_receive(gateway, request.headers, request.body)
    except DomainError as exc:
        log.warning("parking notify %s refused: %s", gateway, exc)
        status, text, kind = channel.answer(False)
        return HttpResponse(text, status=status, content_type=kind)
    if payment is not None and payment.surplus:
        try:
            payments.surplus_refund(payment)
        except DomainError as exc:  # left for the reconciliation to show
            log.warning("parking surplus refund of %s failed: %s", payment.order_id, exc)
    status, text, kind = channel.answer(True)
    return HttpResponse(text, status=status, content_type=kind)
