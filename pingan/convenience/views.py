"""The centre's side of the convenience services: the day's appointments with
办理 / 未到 / 取消, and the estates of its area with their complaints."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pingan.convenience import selectors, services
from pingan.convenience.forms import MarkForm
from pingan.convenience.models import AppointmentKind
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return timezone.localdate()


@login_required
def appointments(request: StaffRequest) -> HttpResponse:
    day = _day(request.GET.get("day", ""))
    kind = request.GET.get("kind", "")
    found = selectors.appointments_for(request.user).filter(day=day)
    if kind:
        found = found.filter(kind=kind)
    return render(
        request,
        "convenience/desk.html",
        {
            "appointments": found,
            "day": day,
            "kind": kind,
            "kinds": AppointmentKind.choices,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
        },
    )


@login_required
@require_POST
def appointment_mark(request: StaffRequest, appointment_id: int) -> HttpResponse:
    appointment = selectors.appointments_for(request.user).filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404("没有这个预约，或不归您办理")
    try:
        services.appointment_mark(
            actor=request.user,
            appointment=appointment,
            **MarkForm(request.POST).cleaned(),  # mark, note
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    return redirect(f"/convenience/appointments/?day={appointment.day}")


@login_required
def estates(request: StaffRequest) -> HttpResponse:
    found = selectors.estates_for(request.user)
    return render(request, "convenience/estates_desk.html", {"estates": found[:500]})
