"""The resident's convenience services: book an appointment with the village
centre, look it up or cancel it by receipt code; see an estate's property service
and its complaint record, and complain. No login."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import ratelimit
from pingan.convenience import selectors, services
from pingan.convenience.forms import BookingForm, ComplaintForm
from pingan.convenience.models import Appointment, AppointmentKind, Estate, Slot
from pingan.lib.errors import DomainError
from pingan.lib.forms import FormError
from pingan.lib.http import client_ip
from pingan.lib.receipts import normalise
from pingan.regions.selectors import public_village, villages_by_township

POSTS_PER_HOUR = 10  # per address, for bookings and complaints alike
WEEKDAYS = "一二三四五六日"


def _throttled(request: HttpRequest, what: str) -> bool:
    return not ratelimit.spend(what, client_ip(request), POSTS_PER_HOUR)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "convenience/home.html")


def _booking_context(form, errors=()) -> dict:
    days = services.bookable_days()
    free = _free(form.get("village", ""), form.get("kind") or AppointmentKind.values[0], days)
    return {
        "form": form,
        "errors": list(errors),
        "kinds": AppointmentKind.choices,
        "slots": Slot.choices,
        "days": [(day, _day_label(day), [free.get((day, s)) for s in Slot.values]) for day in days],
        "townships": villages_by_township(),
        "capacity": services.SLOT_CAPACITY,
    }


def _day_label(day: dt.date) -> str:
    return f"{day:%m月%d日} 周{WEEKDAYS[day.weekday()]}"


def _free(village_code: str, kind: str, days: list[dt.date]) -> dict:
    village = public_village(village_code) if village_code else None
    if village is None or kind not in AppointmentKind.values:
        return {}
    return services.free_places(village, kind, days)


def free_places(request: HttpRequest) -> JsonResponse:
    """Places left per half-day at a village's desk, for the booking page."""
    days = services.bookable_days()
    free = _free(request.GET.get("village", ""), request.GET.get("kind", ""), days)
    return JsonResponse(
        {
            "days": [
                {"day": day.isoformat(), **{s: free.get((day, s)) for s in Slot.values}}
                for day in days
            ]
        }
    )


@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "convenience/book.html", _booking_context(request.GET))
    data = request.POST
    try:
        sent = BookingForm(data).cleaned()
    except FormError as exc:
        context = _booking_context(data, [str(exc)])
        return render(request, "convenience/book.html", context, status=422)
    if _throttled(request, "appointment"):
        context = _booking_context(data, ["提交太频繁，请稍后再试"])
        return render(request, "convenience/book.html", context, status=429)
    booking = services.Booking(
        kind=sent["kind"],
        village_code=sent["village"],
        day=sent["day"],
        slot=sent["slot"],
        name=sent["name"],
        phone=sent["phone"],
        note=sent["note"],
    )
    try:
        appointment = services.appointment_book(booking)
    except services.ServiceError as exc:
        context = _booking_context(data, [str(exc)])
        return render(request, "convenience/book.html", context, status=422)
    return redirect(f"/bm/a/{appointment.receipt}/?new=1")


def _appointment(receipt: str) -> Appointment | None:
    found = Appointment.objects.filter(receipt=normalise(receipt))
    return found.select_related("village", "village__parent").first()


def appointment_lookup(request: HttpRequest) -> HttpResponse:
    receipt = normalise(request.GET.get("receipt", ""))
    if receipt:
        return redirect(f"/bm/a/{receipt}/")
    return render(request, "convenience/lookup.html")


def appointment_show(request: HttpRequest, receipt: str) -> HttpResponse:
    appointment = _appointment(receipt)
    if appointment is None:
        error = f"没有找到回执码为 {receipt} 的预约，请核对后重试"
        return render(request, "convenience/lookup.html", {"error": error}, status=404)
    context = {
        "appointment": appointment,
        "desk": appointment.village,  # its office: the 便民服务站's address and phone
        "new": request.GET.get("new") == "1",
    }
    return render(request, "convenience/appointment.html", context)


@require_POST
def appointment_cancel(request: HttpRequest, receipt: str) -> HttpResponse:
    appointment = _appointment(receipt)
    if appointment is None:
        return redirect("/bm/a/")
    try:
        services.appointment_cancel(appointment)
    except services.ServiceError as exc:
        context = {"appointment": appointment, "error": str(exc)}
        return render(request, "convenience/appointment.html", context, status=422)
    return redirect(f"/bm/a/{appointment.receipt}/")


def estate_list(request: HttpRequest) -> HttpResponse:
    village = request.GET.get("village", "")
    context = {
        "estates": selectors.estates(village) if village else selectors.estates()[:100],
        "village": village,
        "townships": villages_by_township(),
    }
    return render(request, "convenience/estates.html", context)


def _estate_context(estate: Estate, form=None, errors=()) -> dict:
    return {
        "estate": estate,
        "services": estate.services.all(),
        "record": services.complaint_record(estate),
        "form": form or {},
        "errors": list(errors),
    }


def estate_detail(request: HttpRequest, estate_id: int) -> HttpResponse:
    estate = get_object_or_404(Estate.objects.select_related("village"), pk=estate_id)
    return render(request, "convenience/estate.html", _estate_context(estate))


@require_POST
def estate_complain(request: HttpRequest, estate_id: int) -> HttpResponse:
    estate = get_object_or_404(Estate, pk=estate_id)
    if _throttled(request, "complaint"):
        context = _estate_context(estate, request.POST, ["提交太频繁，请稍后再试"])
        return render(request, "convenience/estate.html", context, status=429)
    try:
        complaint = services.complaint_file(
            estate=estate,
            **ComplaintForm(request.POST).cleaned(),  # description, phone
            ip=client_ip(request),
        )
    except DomainError as exc:
        context = _estate_context(estate, request.POST, [str(exc)])
        return render(request, "convenience/estate.html", context, status=422)
    return redirect(f"/t/{complaint.event.receipt}/?new=1")
