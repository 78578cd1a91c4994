"""The inbox's URL: the peer is known by the region code in the path, the
message by its signature; the answer is always JSON."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pingan.links import inbox


@csrf_exempt  # a signed message from another platform, never a browser's form
@require_POST
def inbox_receive(request: HttpRequest, code: str) -> JsonResponse:
    answer = inbox.receive(code, dict(request.headers), request.body, timezone.now())
    return JsonResponse(
        answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False}
    )
