"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/), JSON and XML,
so existing Open311 clients work unchanged. Reads are public and show only what
residents sent in through public channels; POST needs an api_key."""

from __future__ import annotations

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pingan.events import services
from pingan.events.models import ApiKey, Category, Channel, Event, Photo, State
from pingan.lib.dates import parse_moment
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.lib.text import printable

PUBLIC_CHANNELS = [Channel.PUBLIC, Channel.OPEN311]
CLOSED = {State.CLOSED, State.ARCHIVED, State.REJECTED, State.MERGED, State.WITHDRAWN, State.VOIDED}
MAX_RESULTS = 1000


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_create(name: str, key: str) -> ApiKey:
    return ApiKey.objects.create(name=name, key_hash=key_hash(key))


# ---- rendering ------------------------------------------------------------------


def render(data: list[dict], fmt: str, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            data, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    top = ET.Element(root)
    for row in data:
        element = ET.SubElement(top, item)
        for name, value in row.items():
            ET.SubElement(element, name).text = "" if value is None else _xml_text(value)
    body = ET.tostring(top, encoding="unicode", xml_declaration=True)
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _xml_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return printable(str(value))


def error_response(error: Open311Error, fmt: str) -> HttpResponse:
    rows = [{"code": error.status, "description": error.description}]
    return render(rows, fmt, "errors", "error", status=error.status)


def handles_errors(view):
    def wrapped(request, *args, fmt: str, **kwargs):
        if fmt not in ("json", "xml"):
            return error_response(Open311Error(404, "format must be json or xml"), "json")
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return error_response(error, fmt)

    return wrapped


# ---- services -------------------------------------------------------------------


def service_row(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.parent.name}/{category.name}",  # type: ignore[union-attr]
        "metadata": False,
        "type": "realtime",
        "keywords": category.domain,
        "group": category.parent.name,  # type: ignore[union-attr]
    }


def leaf_categories():
    return Category.objects.filter(active=True, parent__isnull=False).select_related("parent")


@require_http_methods(["GET"])
@handles_errors
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return render([service_row(c) for c in leaf_categories()], fmt, "services", "service")


@require_http_methods(["GET"])
@handles_errors
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not leaf_categories().filter(code=code).exists():
        raise Open311Error(404, f"service_code {code} not found")
    definition = {"service_code": code, "attributes": []}
    if fmt == "json":
        return JsonResponse(definition)
    return render([{"service_code": code}], fmt, "service_definition", "service")


# ---- requests -------------------------------------------------------------------


def request_row(event: Event, request: HttpRequest) -> dict:
    """One request as every client may read it. Its id is the event's number, never
    the receipt: the receipt is the reporter's key to follow and rate the report."""
    photo = event.photos.first()
    media = f"/open311/v2/media/{photo.pk}.jpg" if photo else None
    return {
        "service_request_id": str(event.pk),
        "status": "closed" if event.state in CLOSED else "open",
        "status_notes": event.get_state_display(),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": event.description,
        "agency_responsible": event.lead_department.name if event.lead_department_id else "",  # type: ignore[union-attr]
        "service_notice": "",
        "requested_datetime": event.created_at.isoformat(),
        "updated_datetime": event.updated_at.isoformat(),
        "expected_datetime": event.deadline.isoformat() if event.deadline else None,
        "address": event.address,
        "lat": event.lat,
        "long": event.lng,
        "media_url": request.build_absolute_uri(media) if media else None,
    }


def public_requests():
    return (
        Event.objects.filter(channel__in=PUBLIC_CHANNELS)
        .select_related("category", "lead_department")
        .prefetch_related("photos")
    )


def _w3c(text: str, name: str) -> dt.datetime:
    try:
        moment = parse_moment(text)
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C datetime, e.g. 2026-01-01T00:00:00Z, years 1900-2999"
        ) from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _filtered(params) -> Iterable[Event]:
    events = public_requests()
    ids = [i for i in params.get("service_request_id", "").split(",") if i]
    if ids:
        return events.filter(pk__in=[int(i) for i in ids if i.isdigit()])[:MAX_RESULTS]
    end = _w3c(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
    start = (
        _w3c(params["start_date"], "start_date")
        if params.get("start_date")
        else end - dt.timedelta(days=90)
    )
    events = events.filter(created_at__gte=start, created_at__lte=end)
    codes = [c for c in params.get("service_code", "").split(",") if c]
    if codes:
        events = events.filter(category__code__in=codes)
    statuses = {s for s in params.get("status", "").split(",") if s}
    if statuses == {"open"}:
        events = events.exclude(state__in=CLOSED)
    elif statuses == {"closed"}:
        events = events.filter(state__in=CLOSED)
    return events.order_by("-created_at")[:MAX_RESULTS]


@csrf_exempt
@require_http_methods(["GET", "POST"])
@handles_errors
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    rows = [request_row(e, request) for e in _filtered(request.GET)]
    return render(rows, fmt, "service_requests", "request")


@require_http_methods(["GET"])
@handles_errors
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    event = public_requests().filter(pk=int(request_id)).first() if request_id.isdigit() else None
    if event is None:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    return render([request_row(event, request)], fmt, "service_requests", "request")


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    key = data.get("api_key") or request.GET.get("api_key", "")
    if not key or not ApiKey.objects.filter(key_hash=key_hash(key), active=True).exists():
        raise Open311Error(403, "api_key is missing or not valid")
    try:
        category = services.category_for(data.get("service_code", ""))
    except services.EventError:
        raise Open311Error(400, f"service_code {data.get('service_code')!r} not found") from None
    try:
        lat, lng = float(data["lat"]), float(data["long"])
    except (KeyError, ValueError):
        raise Open311Error(
            400, "lat and long are required (this jurisdiction does not geocode address_string)"
        ) from None
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
    report = services.Report(
        category=category,
        lng=lng,
        lat=lat,
        description=data.get("description", ""),
        address=data.get("address_string", ""),
        reporter_name=name,
        reporter_phone=data.get("phone", ""),
        source_ref=data.get("device_id", "")[:64],
    )
    try:
        intake = services.event_report(
            actor=None, channel=Channel.OPEN311, report=report, ip=client_ip(request)
        )
    except DomainError as exc:
        raise Open311Error(400, str(exc)) from None
    row = {
        "service_request_id": str(intake.event.pk),
        # Only the poster sees the receipt: it opens the follow-up page and the rating.
        "service_notice": f"回执码 {intake.event.receipt}（凭此码在 /t/ 查询和评价）",
        "account_id": None,
    }
    return render([row], fmt, "service_requests", "request", status=201)


@require_http_methods(["GET"])
def media(request: HttpRequest, photo_id: int) -> FileResponse:
    """A report's photo for Open311 clients: the re-encoded copy without location,
    and only of a request the public list shows."""
    photo = Photo.objects.filter(pk=photo_id, event__in=public_requests()).first()
    if photo is None:
        raise Http404("no such media")
    return FileResponse(photo.public.open("rb"), content_type=photo.content_type)
