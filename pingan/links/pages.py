"""The administrator's page of the links (health, dead letters, unmapped codes,
checkpoints that disagree) and the city's page of its districts' figures."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pingan.lib.http import StaffRequest
from pingan.links import selectors, services
from pingan.links.models import Link


def _administrator(request: StaffRequest) -> None:
    if not selectors.may_administer(request.user):
        raise PermissionDenied("只有平台管理员可以管理互联互通")


@login_required
def health(request: StaffRequest) -> HttpResponse:
    _administrator(request)
    return render(
        request,
        "links/health.html",
        {
            "rows": services.health_all(),
            "dead": selectors.dead_letters(),
            "unmapped": selectors.unmapped(),
            "conflicts": selectors.checkpoint_conflicts(),
        },
    )


@login_required
@require_POST
def replay(request: StaffRequest, code: str) -> HttpResponse:
    _administrator(request)
    link = get_object_or_404(Link, region_code=code)
    count = services.replay(actor=request.user, link=link)
    messages.success(request, f"{link.name}：{count} 条死信已重新排队投递")
    return redirect("links:health")


@login_required
def figures(request: StaffRequest) -> HttpResponse:
    if not selectors.may_read_figures(request.user):
        raise PermissionDenied("您无权查看各区县的统计")
    return render(request, "links/figures.html", {"below": selectors.latest_figures(request.user)})


@login_required
def district(request: StaffRequest, code: str) -> HttpResponse:
    if not selectors.may_read_figures(request.user):
        raise PermissionDenied("您无权查看各区县的统计")
    found = selectors.district_figures(code)
    if found is None:
        raise Http404("没有这个区县")
    link, sent = found
    return render(request, "links/district.html", {"link": link, "sent": sent})
