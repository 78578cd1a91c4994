"""网格划分方案: a village's grids proposed from its households, accepted in one step."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.lib.divisions import Level
from pingan.lib.http import StaffRequest
from pingan.regions import selectors as region_selectors
from pingan.regions.models import Region
from pingan.registry import planning
from pingan.registry.forms import PlanForm
from pingan.registry.selectors import people_for_user


@login_required
@require_http_methods(["GET", "POST"])
def grid_plan(request: StaffRequest, code: str) -> HttpResponse:
    village = region_selectors.region_get_for_user(request.user, code, write=True)
    if village.level != Level.VILLAGE:
        messages.error(request, "只能为村或社区划分网格")
        return redirect("regions:region", code=code)
    proposal = planning.propose(village)
    if request.method == "POST":
        try:
            created = planning.accept(
                actor=request.user,
                village=village,
                proposal=proposal,
                fingerprint=PlanForm(request.POST).cleaned()["fingerprint"],
            )
        except planning.PlanningError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已按方案划分 {len(created)} 个网格")
            return redirect("regions:region", code=code)
    return render(
        request,
        "registry/plan.html",
        {
            "region": village,
            "ancestors": village.ancestors(),
            "proposal": proposal,
            "proposal_geojson": planning.proposal_geojson(proposal),
            "current_grids": village_household_counts(village),
        },
    )


def village_household_counts(village: Region) -> list[dict]:
    return list(
        village.children.filter(active=True)
        .annotate(real_households=Count("households"))
        .values("code", "name", "household_count", "real_households")
    )


def may_plan(user: User, region: Region) -> bool:
    return region.level == Level.VILLAGE and access.in_scope(user, region.path, write=True)


def people_under(user: User, region: Region) -> int:
    return people_for_user(user).filter(region_path__startswith=region.path).count()
