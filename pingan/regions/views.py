"""The region tree's pages: a node with its children and figures, the grid map,
grid search and the GeoJSON import. Other apps add their figures to a node's page
(FIGURES), which this app cannot count itself."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.lib.divisions import Level
from pingan.lib.http import StaffRequest
from pingan.regions import selectors
from pingan.regions.geojson import ImportFailed, import_tree
from pingan.regions.models import Region

# What other apps add to a node's page when they are ready (registry/apps.py):
# figures (label, the count for the user under the node), and actions (label, the
# URL name taking the node's code, whether the user may take it there).
FIGURES: list[tuple[str, Callable[[User, Region], int]]] = []
ACTIONS: list[tuple[str, str, Callable[[User, Region], bool]]] = []


@login_required
def jurisdiction(request: StaffRequest) -> HttpResponse:
    node = selectors.home_node(request.user)
    if node is None:
        return render(request, "web/no_scope.html", status=403)
    return redirect("regions:region", code=node.code)


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
        "figures": [(label, count(request.user, region)) for label, count in FIGURES],
        "actions": [(label, name) for label, name, shown in ACTIONS if shown(request.user, region)],
        "workers": region.staff.filter(is_active=True) if region.is_grid else [],
        "can_write": access.in_scope(request.user, region.path, write=True),
    }
    return render(request, "regions/region.html", context)


@login_required
def grid_map(request: StaffRequest) -> HttpResponse:
    node = selectors.home_node(request.user)
    if node is None:
        return render(request, "web/no_scope.html", status=403)
    code = request.GET.get("code") or node.code
    region = selectors.region_get_for_user(request.user, code)
    return render(request, "regions/map.html", {"region": region, "ancestors": region.ancestors()})


@login_required
def grid_search(request: StaffRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    grids = selectors.grid_search(request.user, query) if query.strip() else Region.objects.none()
    partial = request.headers.get("HX-Request")
    template = "regions/_grid_results.html" if partial else "regions/search.html"
    return render(request, template, {"query": query, "grids": grids})


MAX_IMPORT_BYTES = 20 * 1024 * 1024


@login_required
@require_POST
def region_import(request: StaffRequest, code: str) -> HttpResponse:
    """Upload a GeoJSON FeatureCollection: all or nothing, every bad feature listed."""
    region = selectors.region_get_for_user(request.user, code, write=True)
    upload = request.FILES.get("file")
    if upload is None or (upload.size or 0) > MAX_IMPORT_BYTES:
        messages.error(request, "请选择不超过20MB的GeoJSON文件")
        return redirect("regions:region", code=region.code)
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
    return redirect("regions:region", code=region.code)
