"""Where plate cameras push (no session, no CSRF: cameras have neither). Bound by
serial number on a private network, as the vendors' protocol is. Every answer is
JSON, an error too, so the camera never hangs on a page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pingan.lib.http import client_ip
from pingan.parking import push

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
