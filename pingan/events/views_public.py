"""The resident's pages: report by scanning the grid's QR code (no login), get a
receipt code, follow the event and rate the result. Chinese, plain words."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from shapely.geometry import shape

from pingan.accounts import ratelimit
from pingan.accounts.services import client_ip
from pingan.events import photos, rating, services
from pingan.events.lifecycle import step_label
from pingan.events.models import Category, Channel, Event, Photo
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.text import mask_phone
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
    context = {"grid": grid, "categories": categories(), "form": form, "errors": []}
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
    data = request.POST
    category = services.category_for(data.get("category", ""))
    lng, lat = location(data, grid)
    phone = data.get("phone", "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        raise services.EventError("手机号格式不正确")
    report = services.Report(
        category=category,
        lng=lng,
        lat=lat,
        description=data.get("description", ""),
        address=data.get("address", ""),
        reporter_phone=phone,
        reporter_name=data.get("name", ""),
    )
    intake = photos.report_with_photo(
        upload=request.FILES.get("photo"),
        actor=None,
        channel=Channel.PUBLIC,
        report=report,
        ip=ip,
    )
    return intake.event


def location(data, grid: Region) -> tuple[float, float]:
    """The phone's location when given, else the middle of the QR code's grid."""
    try:
        return float(data["lng"]), float(data["lat"])
    except (KeyError, ValueError):
        centre = shape(grid.boundary).representative_point()
        return centre.x, centre.y


def track_lookup(request: HttpRequest) -> HttpResponse:
    receipt = request.GET.get("receipt", "").strip().upper()
    if receipt:
        return redirect(f"/t/{receipt}/")
    return render(request, "events/public_lookup.html")


def track(request: HttpRequest, receipt: str) -> HttpResponse:
    event = Event.objects.filter(receipt=receipt.upper()).select_related("category").first()
    if event is None:
        return render(
            request,
            "events/public_lookup.html",
            {"error": f"没有找到回执码为 {receipt} 的事件，请核对后重试"},
            status=404,
        )
    steps = [(step, _plain_label(step.action)) for step in event.steps.filter(public=True)]
    return render(
        request,
        "events/public_track.html",
        {
            "event": event,
            "steps": steps,
            "new": request.GET.get("new") == "1",
            "photos": event.photos.all(),
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
        satisfaction = int(request.POST.get("satisfaction", "0"))
        services.event_rate(
            event=event,
            satisfaction=satisfaction,
            comment=request.POST.get("comment", ""),
            code=request.POST.get("code", ""),
            ip=client_ip(request),
        )
    except ValueError as exc:
        message = str(exc) if isinstance(exc, DomainError) else "请选择1到5星"
        return render(request, "events/public_lookup.html", {"error": message}, status=422)
    return redirect(f"/t/{event.receipt}/")


def public_photo(request: HttpRequest, receipt: str, photo_id: int) -> FileResponse:
    photo = Photo.objects.filter(pk=photo_id, event__receipt=receipt.upper()).first()
    if photo is None:
        raise Http404("没有这张照片")
    return FileResponse(photo.public.open("rb"), content_type=photo.content_type)
