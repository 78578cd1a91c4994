"""The command centre's pages: the overview of every level, the big screen, the
assessment with its drill-down, and the score weights."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pingan.accounts.models import User
from pingan.command import assessment, indicators, overview, services
from pingan.command.models import weights_in_use
from pingan.fieldwork.services import FieldError
from pingan.fieldwork.stats import PERIODS
from pingan.regions.models import Region


class StaffRequest(HttpRequest):
    user: User


SCREEN_REFRESH_SECONDS = 60


@login_required
def overview_page(request: StaffRequest) -> HttpResponse:
    period = request.GET.get("period", "month")
    try:
        data = overview.overview(request.user, period=period)
    except FieldError as exc:
        messages.error(request, str(exc))
        return redirect("command:overview")
    context = {"data": data, "period": period, "periods": PERIODS}
    return render(request, "command/overview.html", context)


@login_required
def big_screen(request: StaffRequest) -> HttpResponse:
    """1920×1080 for the centre's wall; refreshes itself from /api/command/overview."""
    context = {
        "data": overview.overview(request.user, period="month"),
        "ranking": _ranking(request.user),
        "refresh": SCREEN_REFRESH_SECONDS,
        "area": _area_name(request.user),
    }
    return render(request, "command/screen.html", context)


def _area_name(user: User) -> str:
    node = user.region or Region.objects.filter(parent__isnull=True).first()
    return node.name if node else "全区"


def _ranking(user: User) -> list[assessment.Row]:
    start, end = assessment.month_bounds(timezone.localdate().strftime("%Y-%m"))
    rows, _ = assessment.assess(user, start=start, end=end, by="township")
    return rows


def _month(request: StaffRequest) -> str:
    return request.GET.get("month") or timezone.localdate().strftime("%Y-%m")


@login_required
def assessment_page(request: StaffRequest) -> HttpResponse:
    month, by = _month(request), request.GET.get("by", "township")
    try:
        start, end = assessment.month_bounds(month)
        rows, whole = assessment.assess(request.user, start=start, end=end, by=by)
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("command:assessment")
    shown = [i for i in indicators.INDICATORS if by == "person" or i.code != "reported"]
    context = {
        "month": month,
        "months": _recent_months(),
        "by": by,
        "units": assessment.UNITS,
        "indicators": shown,
        "rows": [(row, _cells(row, shown)) for row in [*rows, whole]],
        "weights": [
            (i, weights_in_use().get(i.code)) for i in shown if i.code in indicators.DEFAULT_WEIGHTS
        ],
        "may_set_weights": request.user.role in services.WEIGHT_SETTERS,
    }
    return render(request, "command/assessment.html", context)


def _cells(row: assessment.Row, shown: list[indicators.Indicator]) -> list[tuple]:
    """(indicator, figure, the rate as text) for each column of a row."""
    cells = []
    for indicator in shown:
        figure = row.figures[indicator.code]
        rate = figure.rate
        text = "" if indicator.count_only or rate is None else f"{100 * rate:.1f}%"
        cells.append((indicator, figure, text))
    return cells


def _recent_months(count: int = 12) -> list[str]:
    month = timezone.localdate().replace(day=1)
    found = []
    for _ in range(count):
        found.append(month.strftime("%Y-%m"))
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return found


@login_required
def assessment_events(request: StaffRequest) -> HttpResponse:
    """The events behind one figure of the assessment."""
    month, by = _month(request), request.GET.get("by", "township")
    code = request.GET.get("indicator", "")
    hits = request.GET.get("hits") == "1"
    key = request.GET.get("key", "")
    start, end = assessment.month_bounds(month)
    found = assessment.events_behind(
        request.user, start=start, end=end, by=by, key=key, indicator=code, hits=hits
    )
    indicator = indicators.BY_CODE[code]
    context = {"events": found[:500], "indicator": indicator, "hits": hits, "month": month}
    return render(request, "command/assessment_events.html", context)


@login_required
@require_POST
def weights(request: StaffRequest) -> HttpResponse:
    try:
        values = {code: float(request.POST.get(code) or 0) for code in indicators.DEFAULT_WEIGHTS}
        services.weights_set(actor=request.user, weights=values)
    except (assessment.AssessmentError, PermissionDenied, ValueError) as exc:
        messages.error(request, str(exc) or "权重应为数字")
    else:
        messages.success(request, "考核权重已更新")
    return redirect("command:assessment")
