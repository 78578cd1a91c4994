"""The camera network's pages: the map of views, a camera with its id read out and
its status history, a camera entered, and coverage."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF
from pingan.events import photos as event_photos
from pingan.events.models import Category
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest
from pingan.video import gbid, patrols, selectors, services
from pingan.video.forms import CameraForm, PatrolForm, PlanForm, ViewForm
from pingan.video.models import CameraUse


@login_required
def cameras_home(request: StaffRequest) -> HttpResponse:
    cameras = selectors.cameras_for_user(request.user).select_related("part__grid")
    use = request.GET.get("use", "")
    if use in CameraUse.values:
        cameras = cameras.filter(use=use)
    context = {
        "cameras": cameras.order_by("part__region_path", "device_id")[:300],
        "total": cameras.count(),
        "online": cameras.filter(online=True).count(),
        "uses": CameraUse.choices,
        "use": use,
    }
    return render(request, "video/cameras.html", context)


@login_required
def camera_detail(request: StaffRequest, device_id: str) -> HttpResponse:
    camera = selectors.camera_get_for_user(request.user, device_id)
    playback = settings.VIDEO_PLAYBACK.replace("{device_id}", camera.device_id)
    context = {
        "camera": camera,
        "part": camera.part,
        "decoded": gbid.parse(camera.device_id).described(),
        "statuses": camera.statuses.all()[:50],
        "playback": playback if settings.VIDEO_PLAYBACK else "",
        "uses": CameraUse.choices,
        "may_write": access.in_scope(request.user, camera.part.region_path, write=True),
        "patrols": selectors.patrols_of_camera(request.user, camera),
        "may_patrol": request.user.role in patrols.PATROLLERS,
        "categories": _categories(),
    }
    return render(request, "video/camera.html", context)


def _categories() -> list[Category]:
    return list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))


@login_required
@require_POST
def camera_patrol(request: StaffRequest, device_id: str) -> HttpResponse:
    camera = selectors.camera_get_for_user(request.user, device_id)
    try:
        form = PatrolForm(request.POST).cleaned()
        shots = event_photos.uploaded(request.FILES.get("snapshot"))
        record = patrols.patrol_record(
            actor=request.user,
            camera=camera,
            seen=form["seen"],
            photos=[data for data, _image in shots],
            finding=form["finding"],
            category=form["category"] or "ZZ02",
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        found = record.events.first()
        said = f"，发现的问题已登记为事件（回执码 {found.receipt}）" if found else ""
        messages.success(request, f"已记录视频巡查{said}")
    return redirect("video:camera", device_id=camera.device_id)


@login_required
@require_http_methods(["GET", "POST"])
def patrols_home(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            form = PlanForm(request.POST)
            values = form.cleaned()
            plan = patrols.plan_create(
                actor=request.user,
                name=values["name"],
                device_ids=form.split("cameras"),
                patrollers=form.split("patrollers"),
                every_days=values["every_days"],
            )
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已制定视频巡查计划「{plan.name}」")
            return redirect("video:patrols")
    now = timezone.now()
    days = 30
    context = {
        "states": selectors.plan_states(request.user, now),
        "counts": selectors.patrol_counts(request.user, now - dt.timedelta(days=days)),
        "days": days,
        "may_plan": request.user.role in CENTRE_STAFF,
        "form": request.POST,
    }
    return render(request, "video/patrols.html", context)


@login_required
@require_POST
def camera_view(request: StaffRequest, device_id: str) -> HttpResponse:
    camera = selectors.camera_get_for_user(request.user, device_id)
    try:
        services.camera_update_view(
            actor=request.user, camera=camera, **ViewForm(request.POST).cleaned()
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已保存")
    return redirect("video:camera", device_id=camera.device_id)


@login_required
@require_http_methods(["GET", "POST"])
def camera_new(request: StaffRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            camera = services.camera_create(
                actor=request.user, **CameraForm(request.POST).cleaned()
            )
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已登记摄像机 {camera.device_id}（部件 {camera.part.code}）")
            return redirect("video:camera", device_id=camera.device_id)
    return render(request, "video/new.html", {"uses": CameraUse.choices, "form": request.POST})


@login_required
def coverage(request: StaffRequest) -> HttpResponse:
    return render(request, "video/coverage.html", {"coverage": selectors.coverage(request.user)})
