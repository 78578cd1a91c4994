"""Reads of the region tree, always through the access layer."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.lib.divisions import Level
from pingan.regions.models import Region


def regions_for_user(user: User, *, write: bool = False) -> QuerySet[Region]:
    return access.scope(user, Region.objects.filter(active=True), field="path", write=write)


def region_get_for_user(user: User, code: str, *, write: bool = False) -> Region:
    """The node, if the user may see (or change) it. A node outside the scope is
    reported as missing for reads, so codes cannot be probed; refused for writes
    of a node the user can read."""
    region = (
        Region.objects.filter(code=code, active=True).select_related("parent", "leader").first()
    )
    if region is None or not access.in_scope(user, region.path):
        raise Http404("没有找到该区域，或无权查看")
    if write:
        access.require_scope(user, region.path, write=True)
    return region


def public_village(code: str) -> Region | None:
    """A village or community a resident picked on a public page (no login: names
    and codes of the tree are public, the people in it are not)."""
    return Region.objects.filter(code=code, level=Level.VILLAGE, active=True).first()


def grid_search(user: User, query: str, *, limit: int = 50) -> QuerySet[Region]:
    query = query.strip()
    grids = regions_for_user(user).filter(level=Level.GRID)
    if query:
        grids = grids.filter(Q(name__contains=query) | Q(code__startswith=query))
    return grids.select_related("parent")[:limit]


def home_node(user: User) -> Region | None:
    paths = access.read_paths(user)
    if not paths:
        return None
    if paths == ("",):
        return Region.objects.filter(level=Level.DISTRICT, active=True).first()
    return user.region or Region.objects.filter(path=paths[0]).first()


def children_with_counts(region: Region) -> list[Region]:
    return list(region.children.filter(active=True).order_by("code"))
