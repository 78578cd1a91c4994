"""The camera network's pages: the map of views, a camera with its id read out and
its status history, a camera entered, and coverage."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.lib.errors import REFUSED
from pingan.lib.http import StaffRequest
from pingan.video import gbid, selectors, services
from pingan.video.forms import CameraForm, ViewForm
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
    }
    return render(request, "video/camera.html", context)


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
