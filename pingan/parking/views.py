"""慧停车's staff pages: the places with their occupancy on a map, a place's day,
plate search (journaled), reads waiting for a person, the cameras (and those
nobody placed yet), the money (reconciliation, refunds), and the CDS reports
with their workbook. Plates are shown to plate readers only (the operator's
staff and the district), masked for everyone else."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.accounts.models import PARKING_VIEWERS, PLATE_READERS
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest, attachment
from pingan.lib.sheets import CONTENT_TYPES
from pingan.parking import manage, metrics, payments, plates, reports, selectors
from pingan.parking.forms import (
    CorrectForm,
    DayForm,
    PlaceCameraForm,
    PlateSearchForm,
    RefundForm,
    ReportForm,
)
from pingan.parking.models import CameraRole, Passage, Payment, PlateCamera, Review


def _viewer(request: StaffRequest) -> None:
    if request.user.role not in PARKING_VIEWERS:
        raise PermissionDenied("无权查看慧停车")


def _reader(request: StaffRequest) -> None:
    if request.user.role not in PLATE_READERS:
        raise PermissionDenied("只有停车管理员和区综治中心可以查看车牌")


@login_required
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    _viewer(request)
    places = list(selectors.places_for(request.user))
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    figures = metrics.figures(metrics.by_place(places), start, start + dt.timedelta(days=1))
    context = {
        "places": [(p, figures[p.code]) for p in places],
        "capacity": sum(p.capacity for p in places),
        "occupied": sum(p.occupied for p in places),
        "free": sum(p.free for p in places),
        "today": reports.total(figures.values()),
        "owed": selectors.arrears_total(request.user),
        "review": Passage.objects.filter(review=Review.NEEDED, place__in=places).count(),
        "unplaced": PlateCamera.objects.filter(accepted=False).count(),
        "reader": request.user.role in PLATE_READERS,
    }
    return render(request, "parking/home.html", context)


@login_required
@require_GET
def place_day(request: StaffRequest, code: str) -> HttpResponse:
    """A road's (or lot's) day: occupancy by hour, its stays, what they brought."""
    _viewer(request)
    place = selectors.place_get_for_user(request.user, code)
    day = DayForm.day_of(request.GET)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    figures = metrics.figures(metrics.by_place([place]), start, start + dt.timedelta(days=1))[
        place.code
    ]
    reader = request.user.role in PLATE_READERS
    stays = selectors.stays_of_day(place, start)
    context = {
        "place": place,
        "day": day,
        "figures": figures,
        "hours": list(enumerate(figures.by_hour)),
        "stays": [(s, s.plate if reader else plates.masked(s.plate)) for s in stays],
        "cameras": place.cameras.all(),
        "reader": reader,
    }
    return render(request, "parking/place.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plate_search(request: StaffRequest) -> HttpResponse:
    """Every search names its reason and is journaled (who looked for which plate)."""
    _reader(request)
    context: dict[str, object] = {"form": request.POST}
    if request.method == "POST":
        try:
            sent = PlateSearchForm(request.POST).cleaned()
            context["found"] = manage.plate_search(
                request.user, sent["plate"], sent["reason"], request
            )
            context["plate"] = plates.read(sent["plate"]).text
        except REFUSED as exc:
            messages.error(request, str(exc))
    return render(request, "parking/plates.html", context)


@login_required
@require_GET
def review(request: StaffRequest) -> HttpResponse:
    _reader(request)
    waiting = selectors.passages_to_review(request.user)[:50]
    return render(request, "parking/review.html", {"passages": waiting})


@login_required
@require_POST
def review_decide(request: StaffRequest, pk: int) -> HttpResponse:
    _reader(request)
    passage = selectors.passage_get_for_user(request.user, pk)
    try:
        corrected = CorrectForm(request.POST).cleaned()["plate"]
        manage.passage_review(request.user, passage, corrected)
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已更正车牌并重新匹配停车记录" if corrected else "已确认")
    return redirect("parking:review")


@login_required
@require_GET
def passage_image(request: StaffRequest, pk: int) -> FileResponse:
    _reader(request)
    passage = selectors.passage_get_for_user(request.user, pk)
    if not passage.image:
        raise Http404
    return FileResponse(passage.image.open("rb"), content_type="image/jpeg")


@login_required
@require_http_methods(["GET", "POST"])
def cameras(request: StaffRequest) -> HttpResponse:
    _reader(request)
    if request.method == "POST":
        try:
            sent = PlaceCameraForm(request.POST).cleaned()
            place = selectors.place_get_for_user(request.user, sent["place"])
            camera = manage.camera_place(
                request.user, sent["serial"], place, sent["role"], sent["name"]
            )
        except (*REFUSED, Http404) as exc:
            messages.error(request, str(exc) or "没有这个停车点")
        else:
            part = camera.part.code if camera.part else ""
            messages.success(request, f"摄像机 {camera.serial} 已启用，登记为部件 {part}")
        return redirect("parking:cameras")
    context = {
        "unplaced": PlateCamera.objects.filter(accepted=False).order_by("-last_seen"),
        "placed": PlateCamera.objects.filter(accepted=True)
        .select_related("place", "part")
        .order_by("place__code", "role"),
        "places": selectors.places_for(request.user),
        "roles": CameraRole.choices,
    }
    return render(request, "parking/cameras.html", context)


@login_required
@require_GET
def money(request: StaffRequest) -> HttpResponse:
    _reader(request)
    context = {
        "days": payments.Reconciliation.objects.all()[:31],
        "surplus": Payment.objects.filter(surplus=True, refunds__isnull=True).select_related(
            "order"
        ),
        "recent": Payment.objects.select_related("order").prefetch_related("refunds")[:30],
    }
    return render(request, "parking/money.html", context)


@login_required
@require_POST
def refund(request: StaffRequest, pk: int) -> HttpResponse:
    _reader(request)
    payment = Payment.objects.filter(pk=pk).select_related("order").first()
    if payment is None:
        raise Http404
    try:
        sent = RefundForm(request.POST).cleaned()
        made = payments.refund_make(payment, sent["reason"], by=request.user, waive=sent["waive"])
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已退款 {made.amount_fen / 100:.2f} 元，退款单号 {made.number}")
    return redirect("parking:money")


@login_required
@require_GET
def report(request: StaffRequest) -> HttpResponse:
    _viewer(request)
    asked = ReportForm.of(request.GET)
    table = reports.table(request.user, asked)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(reports.workbook(table), content_type=CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = attachment(
            f"慧停车报表-{asked.start:%Y%m%d}.xlsx", "parking.xlsx"
        )
        return response
    return render(
        request,
        "parking/report.html",
        {"asked": asked, "table": table, "groups": ReportForm.GROUPS},
    )
