"""Staff web shell: thin views over the selectors and services."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from pingan.accounts import access
from pingan.accounts.services import LoginRefused, login_check
from pingan.lib.divisions import Level
from pingan.lib.http import StaffRequest
from pingan.lib.redirects import next_page
from pingan.regions import selectors
from pingan.regions.geojson import ImportFailed, import_tree
from pingan.regions.models import Region
from pingan.registry import planning
from pingan.registry.selectors import people_for_user
from pingan.web.forms import LoginForm, PlanForm
from pingan.web.menus import start_page


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        sent = LoginForm(request.POST)
        sent.is_valid()  # both fields may be blank: login_check refuses that itself
        username, password = sent.cleaned_data["username"], sent.cleaned_data["password"]
        try:
            user = login_check(request, username, password)
        except LoginRefused as refused:
            return render(
                request, "web/login.html", {"error": str(refused), "username": username}, status=401
            )
        login(request, user)
        return redirect(next_page(request, start_page(user)))
    return render(request, "web/login.html")


def admin_login(request: HttpRequest, extra_context=None) -> HttpResponse:
    """The admin signs in on the staff's login page: one path, one lock, one journal.
    Installed as admin.site.login, so /admin/login/ takes no password itself."""
    wanted = next_page(request, "admin:index")
    return redirect(f"{reverse('web:login')}?{urlencode({'next': wanted})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def home(request: StaffRequest) -> HttpResponse:
    """The site's front door: each role's own start page (web/menus.py)."""
    return redirect(start_page(request.user))


@login_required
def jurisdiction(request: StaffRequest) -> HttpResponse:
    node = selectors.home_node(request.user)
    if node is None:
        return render(request, "web/no_scope.html", status=403)
    return redirect("web:region", code=node.code)


@login_required
def region_detail(request: StaffRequest, code: str) -> HttpResponse:
    region = selectors.region_get_for_user(request.user, code)
    children = selectors.regions_for_user(request.user).filter(parent=region).order_by("code")
    grids = selectors.regions_for_user(request.user).filter(
        level=Level.GRID, path__startswith=region.path
    )
    context = {
        "region": region,
        "ancestors": region.ancestors(),
        "children": children,
        "grid_count": grids.count(),
        "household_total": grids.aggregate(total=Sum("household_count"))["total"] or 0,
        "people_count": people_for_user(request.user)
        .filter(region_path__startswith=region.path)
        .count(),
        "workers": region.staff.filter(is_active=True) if region.is_grid else [],
        "can_write": access.in_scope(request.user, region.path, write=True),
        "can_plan": region.level == Level.VILLAGE
        and access.in_scope(request.user, region.path, write=True),
    }
    return render(request, "web/region.html", context)


@login_required
def grid_map(request: StaffRequest) -> HttpResponse:
    node = selectors.home_node(request.user)
    if node is None:
        return render(request, "web/no_scope.html", status=403)
    code = request.GET.get("code") or node.code
    region = selectors.region_get_for_user(request.user, code)
    return render(request, "web/map.html", {"region": region, "ancestors": region.ancestors()})


@login_required
def grid_search(request: StaffRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    grids = selectors.grid_search(request.user, query) if query.strip() else Region.objects.none()
    template = "web/_grid_results.html" if request.headers.get("HX-Request") else "web/search.html"
    return render(request, template, {"query": query, "grids": grids})


@login_required
@require_http_methods(["GET", "POST"])
def grid_plan(request: StaffRequest, code: str) -> HttpResponse:
    village = selectors.region_get_for_user(request.user, code, write=True)
    if village.level != Level.VILLAGE:
        messages.error(request, "只能为村或社区划分网格")
        return redirect("web:region", code=code)
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
            return redirect("web:region", code=code)
    households = village_household_counts(village)
    return render(
        request,
        "web/plan.html",
        {
            "region": village,
            "ancestors": village.ancestors(),
            "proposal": proposal,
            "proposal_geojson": planning.proposal_geojson(proposal),
            "current_grids": households,
        },
    )


MAX_IMPORT_BYTES = 20 * 1024 * 1024


@login_required
@require_POST
def region_import(request: StaffRequest, code: str) -> HttpResponse:
    """Upload a GeoJSON FeatureCollection: all or nothing, every bad feature listed."""
    region = selectors.region_get_for_user(request.user, code, write=True)
    upload = request.FILES.get("file")
    if upload is None or (upload.size or 0) > MAX_IMPORT_BYTES:
        messages.error(request, "请选择不超过20MB的GeoJSON文件")
        return redirect("web:region", code=region.code)
    try:
        data = json.loads(upload.read().decode("utf-8"))
        result = import_tree(data, actor=request.user)
    except (UnicodeDecodeError, json.JSONDecodeError):
        messages.error(request, "文件不是有效的JSON（应为UTF-8编码的GeoJSON）")
    except ImportFailed as failure:
        messages.error(request, f"导入失败，{failure}：")
        for error in failure.errors[:50]:
            messages.error(request, error)
    else:
        messages.success(request, f"导入完成：新建 {result.created} 个，更新 {result.updated} 个")
    return redirect("web:region", code=region.code)


def village_household_counts(village: Region) -> list[dict]:
    return list(
        village.children.filter(active=True)
        .annotate(real_households=Count("households"))
        .values("code", "name", "household_count", "real_households")
    )
