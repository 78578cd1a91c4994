"""The resident's pages: report by scanning the grid's QR code (no login), get a
receipt code, follow the event and rate the result. Chinese, plain words."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import ratelimit
from pingan.events import photos, rating, routing, selectors, services
from pingan.events.forms import RateForm, ReportForm
from pingan.events.lifecycle import step_label
from pingan.events.models import Category, Channel, Event, Photo, State
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.http import client_ip
from pingan.lib.text import clean_phone, mask_phone
from pingan.regions.models import Region

REPORTS_PER_HOUR = 20  # per address: enough for a family, not for a script
CODES_PER_HOUR = 10
TOO_MANY = "操作太频繁，请稍后再试"


def _grid(code: str) -> Region:
    return get_object_or_404(Region, code=code, level=Level.GRID, active=True)


def categories():
    tops = Category.objects.filter(parent__isnull=True, active=True).prefetch_related("children")
    return [(top, [c for c in top.children.all() if c.active]) for top in tops]


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, grid_code: str) -> HttpResponse:
    grid = _grid(grid_code)
    form = request.POST if request.method == "POST" else {}
    context = {
        "grid": grid,
        "categories": categories(),
        "form": form,
        "errors": [],
        "grid_geo": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": grid.boundary,
                    "properties": {"name": grid.name, "code": grid.code, "level": "grid"},
                }
            ],
        },
    }
    if request.method == "GET":
        return render(request, "events/public_report.html", context)
    errors = context["errors"]
    ip = client_ip(request)
    if not ratelimit.spend("public-report", ip, REPORTS_PER_HOUR):
        errors.append("提交太频繁，请稍后再试")
        return render(request, "events/public_report.html", context, status=429)
    try:
        event = _file(request, grid, ip)
    except DomainError as exc:
        errors.append(str(exc))
        return render(request, "events/public_report.html", context, status=422)
    return redirect(f"/t/{event.receipt}/?new=1")


def _file(request: HttpRequest, grid: Region, ip: str) -> Event:
    data = ReportForm(request.POST).cleaned()
    category = services.category_for(data["category"])
    lng, lat, grid_code = placed(data, grid)
    phone = data["phone"]
    if phone and clean_phone(phone) is None:
        raise services.EventError("手机号格式不正确（手机11位，或区号-号码）")
    phone = clean_phone(phone) or ""
    report = services.Report(
        category=category,
        lng=lng,
        lat=lat,
        description=data["description"],
        address=data["address"],
        reporter_phone=phone,
        reporter_name=data["name"],
        grid_code=grid_code,
        photos=photos.uploaded(request.FILES.get("photo")),
    )
    return services.event_report(actor=None, channel=Channel.PUBLIC, report=report, ip=ip).event


def placed(data: dict, grid: Region) -> tuple[float, float, str]:
    """Where the report is and which grid takes it. A point the resident chose on
    the map is routed by the point. A phone's location is only a hint: off by a
    street, or taken a block away, it must not send the report to another grid
    than the QR code's, which keeps it (and a point outside the district is
    replaced by the grid's middle)."""
    lng, lat = location(data, grid)
    if data["picked"] == "1":
        return lng, lat, ""
    try:
        inside = routing.grid_code_for(lng, lat) == grid.code
    except routing.RoutingError:
        return *grid.inner_point(), grid.code
    return lng, lat, "" if inside else grid.code


NEARBY_SHOWN = 5


def nearby(request: HttpRequest, grid_code: str) -> JsonResponse:
    """Open reports of the category near the point, before filing: what FixMyStreet
    shows so the same pothole is not reported ten times. Only the category, state,
    distance and age: other residents' words and receipts stay private."""
    _grid(grid_code)
    try:
        category = services.category_for(request.GET.get("category", ""))
        lng, lat = float(request.GET["lng"]), float(request.GET["lat"])
    except (KeyError, ValueError, DomainError):
        return JsonResponse({"items": []})
    now = timezone.now()
    found = routing.similar_events(category, lng, lat, now, Event.objects.all())
    items = [
        {
            "category": category.name,
            "state": str(State(e.state).label),
            "metres": round(routing.distance_metres(lng, lat, e.lng, e.lat)),
            "days": (now - e.created_at).days,
        }
        for e in found[:NEARBY_SHOWN]
    ]
    return JsonResponse({"items": items})


def location(data: dict, grid: Region) -> tuple[float, float]:
    """The phone's location when given, else the middle of the QR code's grid."""
    try:
        return float(data["lng"]), float(data["lat"])
    except (KeyError, ValueError):
        return grid.inner_point()


def track_lookup(request: HttpRequest) -> HttpResponse:
    receipt = request.GET.get("receipt", "").strip().upper()
    if receipt:
        return redirect(f"/t/{receipt}/")
    return render(request, "events/public_lookup.html")


def track(request: HttpRequest, receipt: str) -> HttpResponse:
    event = (
        Event.objects.filter(receipt=receipt.upper())
        .select_related("category", "grid__parent", "lead_department")
        .first()
    )
    if event is None:
        return render(
            request,
            "events/public_lookup.html",
            {"error": f"没有找到回执码为 {receipt} 的事件，请核对后重试"},
            status=404,
        )
    steps = [(step, _plain_label(step.action)) for step in event.steps.filter(public=True)]
    handled = selectors.handling_reports([event.pk]).get(event.pk, {})
    return render(
        request,
        "events/public_track.html",
        {
            "event": event,
            "steps": steps,
            "new": request.GET.get("new") == "1",
            "photos": photos.labelled(event),
            "handled": handled if handled.get("at") else None,
            "grid": event.grid,
            "village": event.grid.parent,
            "can_rate": event.state in ("closed", "archived") and event.satisfaction is None,
            "needs_code": rating.needs_code(event),
            "phone": mask_phone(event.reporter_phone),
            "code_sent": request.GET.get("code") == "sent",
        },
    )


@require_POST
def rating_code(request: HttpRequest, receipt: str) -> HttpResponse:
    event = get_object_or_404(Event, receipt=receipt.upper())
    if not ratelimit.spend("rating-code", client_ip(request), CODES_PER_HOUR):
        return render(request, "events/public_lookup.html", {"error": TOO_MANY}, status=429)
    try:
        rating.code_send(event)
    except rating.RatingRefused as exc:
        return render(request, "events/public_lookup.html", {"error": str(exc)}, status=422)
    return redirect(f"/t/{event.receipt}/?code=sent#rate")


PLAIN = {"report": "收到您的反映", "rate": "您评价了处理结果", "merged_in": "合并了相同的反映"}


def _plain_label(action: str) -> str:
    return PLAIN.get(action) or step_label(action)


@require_POST
def rate(request: HttpRequest, receipt: str) -> HttpResponse:
    event = get_object_or_404(Event, receipt=receipt.upper())
    try:
        services.event_rate(event=event, **RateForm(request.POST).cleaned(), ip=client_ip(request))
    except DomainError as exc:
        return render(request, "events/public_lookup.html", {"error": str(exc)}, status=422)
    return redirect(f"/t/{event.receipt}/")


def public_photo(request: HttpRequest, receipt: str, photo_id: int) -> FileResponse:
    photo = Photo.objects.filter(pk=photo_id, event__receipt=receipt.upper()).first()
    if photo is None:
        raise Http404("没有这张照片")
    return FileResponse(photo.public.open("rb"), content_type=photo.content_type)
