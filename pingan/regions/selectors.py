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


def installation_root(active: bool = False) -> Region | None:
    """The top of this installation's tree (a district, or a city or province above
    its districts): its first root, should there be several."""
    roots = Region.objects.filter(parent=None)
    return (roots.filter(active=True) if active else roots).order_by("path").first()


def home_node(user: User) -> Region | None:
    paths = access.read_paths(user)
    if not paths:
        return None
    if paths == ("",):
        return installation_root(active=True)
    return user.region or Region.objects.filter(path=paths[0]).first()


def children_with_counts(region: Region) -> list[Region]:
    return list(region.children.filter(active=True).order_by("code"))


def villages_by_township() -> list[tuple[Region, list[Region]]]:
    """Every township with its villages and communities, for the resident's choice."""
    villages = Region.objects.filter(level=Level.VILLAGE, active=True).select_related("parent")
    grouped: dict[int, tuple[Region, list[Region]]] = {}
    for village in villages.order_by("code"):
        parent = village.parent
        assert parent is not None  # a village always hangs under a township
        grouped.setdefault(parent.pk, (parent, []))[1].append(village)
    return list(grouped.values())


def covers_whole_tree(paths: tuple[str, ...]) -> bool:
    """A scope that is the only district holds every row: filtering by its prefix
    would only stop the database from reading the newest rows first (installed as
    accounts.access.whole_tree by the regions app)."""
    roots = [path for path in paths if path.count("/") == 1]
    if not roots:
        return False
    districts = list(Region.objects.filter(parent__isnull=True).values_list("path", flat=True)[:2])
    return len(districts) == 1 and districts[0] in roots
