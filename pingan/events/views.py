"""Staff pages of the closed loop: the dispatcher's queue, entering a hotline or
video report, the event page with its timeline and actions, the department's
to-do list, the inbox and the grid's QR code."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts.models import Department, Role, User
from pingan.accounts.selectors import department_staff
from pingan.events import contact as events_contact
from pingan.events import (
    duty,
    handover,
    photos,
    qr,
    queue,
    routing,
    selectors,
    services,
    timing,
    views_public,
)
from pingan.events.forms import BulkForm, MobileReportForm, StaffReportForm, StepForm
from pingan.events.lifecycle import step_label
from pingan.events.models import Category, Channel, Event, Level, Photo, State, Urgency
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.errors import REFUSED
from pingan.lib.forms import FormError
from pingan.lib.http import StaffRequest, client_ip
from pingan.regions import selectors as region_selectors

STAFF_ENTRY_CHANNELS = [Channel.HOTLINE, Channel.VIDEO, Channel.ASSIGNMENT, Channel.GRID_WORKER]


@login_required
def event_queue(request: StaffRequest) -> HttpResponse:
    filters = queue.filters_from(request.GET, default_state="mine")
    after = queue.cursor(request.GET.get("after") or "0")
    found = queue.page(request.user, filters, after=after, limit=50)
    now = timezone.now()
    return render(
        request,
        "events/queue.html",
        {
            "rows": [(event, timing.mark(event, now)) for event in found.items],
            "filters": filters,
            "views": queue.VIEWS.items(),
            "states": State.choices,
            "tops": Category.objects.filter(parent__isnull=True),
            "townships": region_selectors.regions_for_user(request.user).filter(
                level=RegionLevel.TOWNSHIP
            ),
            "departments": Department.objects.order_by("name"),
            "next_after": found.next_after,
            "more": urlencode(queue.as_query(filters) | {"after": found.next_after or ""}),
        },
    )


@login_required
@require_POST
def event_bulk(request: StaffRequest) -> HttpResponse:
    try:
        batch = BulkForm(request.POST).cleaned()
    except FormError as exc:
        messages.error(request, str(exc))
        return redirect("events:queue")
    result = queue.bulk(
        request.user,
        batch["action"],
        batch["ids"],
        ip=client_ip(request),
        department_id=batch["department_id"],
    )
    if result["done"]:
        messages.success(request, f"已处理 {len(result['done'])} 件")
    for event_id, reason in result["failed"].items():
        messages.error(request, f"事件 {event_id}：{reason}")
    return redirect("events:queue")


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: StaffRequest) -> HttpResponse:
    context = {
        "form": request.POST,
        "categories": Category.objects.filter(parent__isnull=False, active=True).select_related(
            "parent"
        ),
        "channels": [(c.value, c.label) for c in STAFF_ENTRY_CHANNELS],
        "levels": Level.choices,
    }
    if request.method == "GET":
        return render(request, "events/new.html", context)
    try:
        intake = _enter(request)
    except (
        services.EventError,
        routing.RoutingError,
        PermissionDenied,
        Http404,
        photos.PhotoError,
    ) as exc:
        messages.error(request, str(exc))
        return render(request, "events/new.html", context, status=422)
    if intake.similar:
        messages.warning(request, f"附近有 {len(intake.similar)} 件同类事件正在办理，可考虑合并")
    messages.success(request, f"已登记，回执码 {intake.event.receipt}")
    return redirect("events:detail", event_id=intake.event.pk)


def _enter(request: StaffRequest) -> services.Intake:
    data = StaffReportForm(request.POST).cleaned()
    lng, lat = _where(request, data)
    report = services.Report(
        category=services.category_for(data["category"]),
        lng=lng,
        lat=lat,
        description=data["description"],
        address=data["address"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
        source_ref=data["source_ref"],
        level=data["level"] or Level.VILLAGE,
        photos=photos.uploaded(request.FILES.get("photo")),
    )
    return services.event_report(
        actor=request.user, channel=data["channel"], report=report, ip=client_ip(request)
    )


def _where(request: StaffRequest, data: dict) -> tuple[float, float]:
    if data["lng"] and data["lat"]:
        try:
            return float(data["lng"]), float(data["lat"])
        except ValueError:
            raise services.EventError("经纬度应为数字") from None
    if data["grid"]:
        grid = region_selectors.region_get_for_user(request.user, data["grid"])
        if grid.level != RegionLevel.GRID or not grid.boundary:
            raise services.EventError("请填写网格编码")
        return grid.inner_point()
    raise services.EventError("请填写经纬度或网格编码")


@login_required
@require_http_methods(["GET", "POST"])
def mobile_report(request: StaffRequest) -> HttpResponse:
    """The grid worker's report from the phone: category, text, photo, location.
    The page carries a fresh client UUID, so a double tap or a resend on a bad
    connection files the report once."""
    context: dict = {
        "form": {},
        "errors": [],
        "client_uuid": uuid.uuid4(),
        "categories": views_public.categories(),
    }
    if request.method == "POST":
        try:
            intake = _mobile_intake(request)
        except (
            services.EventError,
            services.Conflict,
            routing.RoutingError,
            PermissionDenied,
            photos.PhotoError,
        ) as exc:
            context["errors"].append(str(exc))
            context["form"] = request.POST
            context["client_uuid"] = request.POST.get("client_uuid") or context["client_uuid"]
            return render(request, "events/mobile_report.html", context, status=422)
        context |= {"done": intake.event, "similar": intake.similar}
    return render(request, "events/mobile_report.html", context)


def _mobile_intake(request: StaffRequest) -> services.Intake:
    grid = request.user.region
    if grid is None or grid.level != RegionLevel.GRID:
        raise services.EventError("只有网格员可以在此上报")
    data = MobileReportForm(request.POST).cleaned()
    lng, lat = views_public.location(data, grid)
    report = services.Report(
        category=services.category_for(data["category"]),
        lng=lng,
        lat=lat,
        description=data["description"],
        address=data["address"],
        photos=photos.uploaded(request.FILES.get("photo")),
    )
    return services.event_report(
        actor=request.user,
        channel=Channel.GRID_WORKER,
        report=report,
        client_uuid=data["client_uuid"],
        ip=client_ip(request),
    )


@login_required
def event_detail(request: StaffRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_for_user(request.user, event_id)
    return render(request, "events/detail.html", _detail(request, event))


def _detail(request: StaffRequest, event: Event, contact: dict | None = None) -> dict:
    actions = queue.actions_for(event, request.user)
    similar = []
    if any(t.action == "merge" for t in actions):
        similar = routing.similar_events(
            event.category,
            event.lng,
            event.lat,
            event.created_at,
            selectors.events_for_user(request.user),
            exclude=event.pk,
        )
    handled = selectors.handling_reports([event.pk]).get(event.pk, {})
    return {
        "event": event,
        "actions": actions,
        "similar": similar,
        "steps": [(step, step_label(step.action)) for step in event.steps.all()],
        "photos": photos.labelled(event),
        "handled": handled if handled.get("at") else None,
        "duty": duty.duty(event),
        "assigned_due": handover.assigned_due(event),
        "contact": contact or events_contact.masked(event),
        "can_reveal": events_contact.may_reveal(request.user) and not contact,
        "assignments": event.assignments.select_related("department", "handler"),
        "mark": timing.mark(event, timezone.now()),
        "departments": Department.objects.order_by("name"),
        "handlers": _colleagues(request.user),
        "urgencies": Urgency.choices,
        "geo": event_geojson(event),
        "panels": [panel(request.user, event) for panel in PANELS],
    }


# What other apps show on an event's page, registered when they are ready: each a
# function of the user and the event giving (title, [(text, link)]), or None.
# 雪亮工程 lists the cameras that see the event's place (video/apps.py).
Panel = Callable[[User, Event], "tuple[str, list[tuple[str, str]]] | None"]
PANELS: list[Panel] = []


def _colleagues(user) -> list:
    """The department's own people, to name a handler from."""
    if user.role != Role.DEPARTMENT or not user.department_id:
        return []
    return department_staff([user.department_id])


@login_required
@require_POST
def event_contact(request: StaffRequest, event_id: int) -> HttpResponse:
    """The reporter's full name and phone, to call back: with the grant, a reason,
    and a journal row; shown on this one page, never stored in the page's URL."""
    event = selectors.event_get_for_user(request.user, event_id)
    try:
        contact = events_contact.reveal(
            actor=request.user,
            event=event,
            reason=StepForm(request.POST).cleaned()["reason"],
            ip=client_ip(request),
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
        return redirect("events:detail", event_id=event.pk)
    return render(request, "events/detail.html", _detail(request, event, contact))


def event_geojson(event: Event) -> dict:
    """The event's point inside its grid, for the map."""
    grid = {
        "type": "Feature",
        "geometry": event.grid.boundary,
        "properties": {"name": event.grid.name, "code": event.grid.code, "level": "grid"},
    }
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [event.lng, event.lat]},
        "properties": {"name": event.receipt},
    }
    return {"type": "FeatureCollection", "features": [grid, point]}


@login_required
@require_POST
def event_act(request: StaffRequest, event_id: int, action: str) -> HttpResponse:
    event = selectors.event_get_for_user(request.user, event_id)
    try:
        step = StepForm(request.POST).cleaned()
        services.event_transition(
            photos=photos.uploaded(request.FILES.get("photo")),
            event=event,
            action=action,
            actor=request.user,
            version=step["version"],
            reason=step["reason"],
            ip=client_ip(request),
            inputs=request.POST,  # the action's own inputs, read by lifecycle.read_inputs
        )
    except services.Conflict as exc:
        messages.error(request, str(exc))
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect("events:detail", event_id=event.pk)


@login_required
def staff_photo(request: StaffRequest, photo_id: int) -> FileResponse:
    photo = Photo.objects.filter(pk=photo_id).select_related("event").first()
    if (
        photo is None
        or not selectors.events_for_user(request.user).filter(pk=photo.event_id).exists()
    ):
        raise Http404("没有这张照片，或无权查看")
    return FileResponse(photo.original.open("rb"), content_type=photo.content_type)


@login_required
def department_todo(request: StaffRequest) -> HttpResponse:
    now = timezone.now()
    events = selectors.department_todo(request.user).select_related("category", "grid")
    return render(
        request,
        "events/todo.html",
        {"rows": [(e, timing.mark(e, now)) for e in events.order_by("deadline")[:200]]},
    )


@login_required
def grid_qr(request: StaffRequest, code: str) -> HttpResponse:
    grid = region_selectors.region_get_for_user(request.user, code)
    if grid.level != RegionLevel.GRID:
        raise Http404("只有网格有二维码")
    if request.GET.get("format") == "svg":
        return HttpResponse(qr.qr_svg(grid), content_type="image/svg+xml")
    return render(
        request,
        "events/qr.html",
        {"grid": grid, "url": qr.report_url(grid), "ancestors": grid.ancestors()},
    )
