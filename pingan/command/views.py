"""The command centre's pages: the overview of every level, the big screen, the
assessment with its drill-down, and the score weights."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pingan.accounts.models import User
from pingan.command import (
    accountability,
    assessment,
    indicators,
    maps,
    overview,
    reports,
    selectors,
    services,
)
from pingan.command.forms import AnswerForm, NoticeForm, WeightsForm
from pingan.command.models import weights_in_use
from pingan.events.selectors import events_for_user
from pingan.fieldwork.stats import MEASURE_LABELS
from pingan.fieldwork.stats import totals as fieldwork_totals
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest
from pingan.lib.periods import PERIODS, PeriodError
from pingan.lib.redirects import next_page
from pingan.lib.replica import replica_reads
from pingan.regions import selectors as region_selectors
from pingan.regions.geojson import feature
from pingan.regions.models import Region

SCREEN_REFRESH_SECONDS = 60


@login_required
@replica_reads
def overview_page(request: StaffRequest) -> HttpResponse:
    period = request.GET.get("period", "month")
    try:
        data = overview.overview(request.user, period=period)
    except PeriodError as exc:
        messages.error(request, str(exc))
        return redirect("command:overview")
    below = selectors.below(request.user)
    context = {"data": data, "period": period, "periods": PERIODS, "below": below}
    return render(request, "command/overview.html", context)


@login_required
@replica_reads
def big_screen(request: StaffRequest) -> HttpResponse:
    """1920×1080 for the centre's wall; refreshes itself from /api/command/overview."""
    context = {
        "data": overview.overview(request.user, period="month"),
        "ranking": _ranking(request.user),
        "refresh": SCREEN_REFRESH_SECONDS,
        "live_seconds": LIVE_SECONDS,
        "area": _area_name(request.user),
        "areas": _areas(request.user),
    }
    return render(request, "command/screen.html", context)


LIVE_SECONDS = 10  # a new report is on the wall within this (and the drawing)


def _areas(user: User) -> dict:
    """The outlines the wall's map draws: the user's node and the level below."""
    node = region_selectors.home_node(user)
    if node is None:
        return {"type": "FeatureCollection", "features": []}
    below = region_selectors.regions_for_user(user).filter(parent=node).select_related("parent")
    nodes = [node, *below]
    return {"type": "FeatureCollection", "features": [feature(n) for n in nodes if n.boundary]}


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
@replica_reads
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
        "below": selectors.below(request.user),
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
@replica_reads
def assessment_events(request: StaffRequest) -> HttpResponse:
    """The events behind one figure of the assessment."""
    month, by = _month(request), request.GET.get("by", "township")
    code = request.GET.get("indicator", "")
    hits = request.GET.get("hits") == "1"
    key = request.GET.get("key", "")
    try:
        start, end = assessment.month_bounds(month)
        found = assessment.events_behind(
            request.user, start=start, end=end, by=by, key=key, indicator=code, hits=hits
        )
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("command:assessment")
    indicator = indicators.BY_CODE[code]
    context = {"events": found[:500], "indicator": indicator, "hits": hits, "month": month}
    return render(request, "command/assessment_events.html", context)


@login_required
@require_POST
def weights(request: StaffRequest) -> HttpResponse:
    try:
        values = WeightsForm(request.POST).weights()
        services.weights_set(actor=request.user, weights=values)
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "考核权重已更新")
    return redirect("command:assessment")


# ---- accountability and supervision notices ----------------------------------------


@login_required
@replica_reads
def accountability_page(request: StaffRequest) -> HttpResponse:
    month, by = _month(request), request.GET.get("by", "department")
    if by not in ("department", "person"):
        by = "department"
    try:
        start, end = assessment.month_bounds(month)
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("command:accountability")
    context = {
        "month": month,
        "months": _recent_months(),
        "by": by,
        "columns": accountability.COLUMNS,
        "rows": [
            (row, [row.counts[key] for key in accountability.COLUMNS])
            for row in accountability.failures(request.user, start=start, end=end, by=by)
        ],
        "overdue": accountability.overdue_now(request.user),
        "notices": selectors.notices_for_user(request.user).select_related("event", "department")[
            :200
        ],
    }
    return render(request, "command/accountability.html", context)


@login_required
@replica_reads
def failing_events(request: StaffRequest) -> HttpResponse:
    """The events held against one unit or person in a month, to open their history."""
    month, by = _month(request), request.GET.get("by", "department")
    try:
        start, end = assessment.month_bounds(month)
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("command:accountability")
    rows = accountability.failures(request.user, start=start, end=end, by=by)
    chosen = next((row for row in rows if row.key == request.GET.get("key")), None)
    ids = chosen.event_ids if chosen else set()
    found = events_for_user(request.user).filter(pk__in=ids).select_related("category", "grid")
    context = {"events": found.order_by("-id")[:500], "who": chosen, "month": month}
    return render(request, "command/failing_events.html", context)


@login_required
@require_POST
def notice_issue(request: StaffRequest) -> HttpResponse:
    try:
        sent = NoticeForm(request.POST).cleaned()
        event = events_for_user(request.user).filter(receipt=sent["receipt"]).first()
        if event is None:
            raise assessment.AssessmentError(
                f"没有找到回执码为 {sent['receipt']} 的事件，或无权查看"
            )
        notice = services.notice_issue(
            actor=request.user, event=event, requirement=sent["requirement"], days=sent["days"]
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已下发督办单 {notice.number}")
    return redirect("command:accountability")


@login_required
@require_POST
def notice_answer(request: StaffRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_get_for_user(request.user, notice_id)
    try:
        answer = AnswerForm(request.POST).cleaned()
        if answer["close"]:
            services.notice_close(actor=request.user, notice=notice, note=answer["note"])
        else:
            services.notice_reply(actor=request.user, notice=notice, reply=answer["reply"])
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect(next_page(request, "command:accountability"))


# ---- map and reports --------------------------------------------------------------


@login_required
@replica_reads
def map_page(request: StaffRequest) -> HttpResponse:
    measure = request.GET.get("measure", "open")
    if measure not in maps.MEASURES:
        measure = "open"
    context = {
        "measure": measure,
        "measures": maps.MEASURES,
        "layers": maps.layers(request.user, measure),
    }
    return render(request, "command/map.html", context)


@login_required
@replica_reads
def report_page(request: StaffRequest) -> HttpResponse:
    period = request.GET.get("period", "month")
    try:
        made = reports.report(request.user, period=period, area=_area_name(request.user))
    except assessment.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("command:report")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reports.workbook(made),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(made.title)}.xlsx"
        return response
    shown = [i for i in indicators.INDICATORS if i.code != "reported"]
    context = {
        "report": made,
        "data": made.data,
        "periods": reports.PERIODS,
        "period": period,
        "work": [(row.label, [row.counts[k] for k in MEASURE_LABELS]) for row in made.fieldwork],
        "work_labels": MEASURE_LABELS.values(),
        "work_total": fieldwork_totals(made.fieldwork).values(),
        "indicators": shown,
        "ranking": [(row, _cells(row, shown)) for row in [*made.ranking, made.whole]],
    }
    return render(request, "command/report.html", context)
