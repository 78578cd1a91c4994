"""The mobile app's shell, service worker and manifest, and the web pages for
fieldwork: statistics, work records, changes to review, a village's rules."""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_POST

from pingan.accounts.models import User
from pingan.fieldwork import changes, selectors, services, stats
from pingan.fieldwork.forms import InspectionForm, PolicyForm, ReviewForm, VisitForm
from pingan.fieldwork.models import ChangeStatus, Kind, WorkPhoto
from pingan.fieldwork.services import FieldError
from pingan.lib.divisions import Level
from pingan.lib.errors import REFUSED, DomainError
from pingan.lib.http import StaffRequest
from pingan.lib.periods import PERIODS, period_bounds
from pingan.regions.selectors import region_get_for_user
from pingan.registry.selectors import records_for_user

SHELL_ASSETS = [
    "app/app.js",
    "app/app.css",
    "pingan/page.js",
    "app/icon-192.png",
    "app/icon-512.png",
    "vendor/leaflet.js",
    "vendor/leaflet.css",
]


def app_shell(request: HttpRequest) -> HttpResponse:
    """The app itself holds no data: it fetches the user's, and keeps it offline."""
    context = {"sync_bytes": settings.SYNC_BATCH_BYTES}  # the basemap: web.context
    return render(request, "fieldwork/app.html", context)


@cache
def _shell_version() -> str:
    """Changes whenever a shell file does, so phones fetch the new release."""
    digest = hashlib.sha256()
    for asset in SHELL_ASSETS:
        with open(finders.find(asset), "rb") as file:  # type: ignore[arg-type]
            digest.update(file.read())
    return digest.hexdigest()[:12]


def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [reverse("fieldwork:app"), *(static(asset) for asset in SHELL_ASSETS)]
    context = {"version": _shell_version(), "shell": json.dumps(shell)}
    response = render(request, "fieldwork/sw.js", context, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/app/"
    return response


def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": "平安 · 移动工作台",
            "short_name": "平安工作台",
            "lang": "zh-CN",
            "start_url": reverse("fieldwork:app"),
            "scope": reverse("fieldwork:app"),
            "display": "standalone",
            "background_color": "#f3f5f7",
            "theme_color": "#0b5394",
            "icons": [
                {
                    "src": static(f"app/icon-{size}.png"),
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                }
                for size in (192, 512)
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


# ---- web pages --------------------------------------------------------------------


@login_required
@require_POST
def record_visit(request: StaffRequest, record_id: int) -> HttpResponse:
    """A follow-up visit entered on a category record's page (the registry's): the
    record's visit, and the work record that counts it as 入户走访, like the app's."""
    record = get_object_or_404(records_for_user(request.user), pk=record_id)
    try:
        services.follow_up_record(
            actor=request.user,
            record=record,
            **VisitForm(request.POST).cleaned(),  # note, risk_level
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录走访")
    return redirect("registry:record", record.pk)


@login_required
def fieldwork_home(request: StaffRequest) -> HttpResponse:
    """Statistics for any period and grouping, with the totals beneath."""
    period = request.GET.get("period", "month")
    by = request.GET.get("by", "grid")
    try:
        start, end = period_bounds(period)
        rows = stats.fieldwork_stats(request.user, start=start, end=end, by=by)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("fieldwork:home")
    context = {
        "rows": [(row.label, [row.counts[m] for m in stats.MEASURES]) for row in rows],
        "total": stats.totals(rows).values(),
        "measures": [stats.MEASURE_LABELS[m] for m in stats.MEASURES],
        "period": period,
        "by": by,
        "periods": PERIODS,
        "groupings": stats.GROUPINGS,
        "start": start,
        "end": end,
        "village": request.user.region if _is_village(request.user) else None,
        "pending": selectors.changes_for_user(request.user)
        .filter(status=ChangeStatus.PENDING)
        .count(),
    }
    return render(request, "fieldwork/home.html", context)


def _is_village(user: User) -> bool:
    return user.region is not None and user.region.level == Level.VILLAGE


@login_required
def work_list(request: StaffRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    records = selectors.work_for_user(request.user).select_related("by", "grid", "household")
    if kind:
        records = records.filter(kind=kind)
    context = {"records": records[:200], "kind": kind, "kinds": Kind.choices}
    return render(request, "fieldwork/work_list.html", context)


@login_required
def work_detail(request: StaffRequest, work_id: int) -> HttpResponse:
    record = selectors.work_get_for_user(request.user, work_id)
    context = {
        "record": record,
        "photos": record.photos.all(),
        "events": record.events.all(),
        "track": json.dumps(record.track),
    }
    return render(request, "fieldwork/work_detail.html", context)


@login_required
def work_photo(request: StaffRequest, photo_id: int) -> FileResponse:
    photo = WorkPhoto.objects.filter(pk=photo_id).first()
    if (
        photo is None
        or not selectors.work_for_user(request.user).filter(pk=photo.record_id).exists()
    ):
        raise Http404("没有这张照片，或无权查看")
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@login_required
def change_list(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", ChangeStatus.PENDING)
    found = selectors.changes_for_user(request.user).filter(status=status)[:200]
    context = {
        "changes": [(change, selectors.change_out(change)) for change in found],
        "status": status,
        "statuses": ChangeStatus.choices,
    }
    return render(request, "fieldwork/changes.html", context)


@login_required
@require_POST
def change_review(request: StaffRequest, change_id: int) -> HttpResponse:
    change = selectors.change_get_for_user(request.user, change_id)
    try:
        review = ReviewForm(request.POST).cleaned()
        changes.change_review(
            actor=request.user, change=change, approve=review["approve"] == "1", note=review["note"]
        )
    except (FieldError, PermissionDenied, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已审核")
    return redirect("fieldwork:changes")


@login_required
def policy(request: StaffRequest, code: str) -> HttpResponse:
    village = region_get_for_user(request.user, code)
    current = changes.policy_for(village)
    if request.method == "POST":
        try:
            sent = PolicyForm(request.POST).cleaned()
            changes.policy_set(
                actor=request.user,
                village=village,
                approve_changes=sent["approve_changes"] == "on",
                visit_every_days=sent["visit_every_days"] or 0,
            )
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("fieldwork:policy", code=code)
    return render(request, "fieldwork/policy.html", {"village": village, "policy": current})


@login_required
def inspections(request: StaffRequest) -> HttpResponse:
    """Open inspection tasks in the user's area, and a form to assign one."""
    if request.method == "POST":
        try:
            _assign_from(request)
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已分派")
            return redirect("fieldwork:inspections")
    context = {
        "tasks": selectors.inspections_for_user(request.user).order_by("done", "due_on")[:200],
        "places": selectors.places_for_user(request.user).order_by("region_path", "name")[:500],
        "staff": selectors.field_staff_for_user(request.user).select_related("region")[:500],
    }
    return render(request, "fieldwork/inspections.html", context)


def _assign_from(request: StaffRequest) -> None:
    data = InspectionForm(request.POST).cleaned()
    place = selectors.places_for_user(request.user).filter(pk=data["place"]).first()
    assignee = selectors.field_staff_for_user(request.user).filter(pk=data["assignee"])
    if place is None or not assignee.exists():
        raise FieldError("请选择辖区内的场所和网格员")
    services.inspection_assign(
        actor=request.user,
        place=place,
        assignee=assignee.get(),
        due_on=data["due_on"],
        note=data["note"],
    )
