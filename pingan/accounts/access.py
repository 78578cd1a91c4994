"""The one access layer. Every read path scopes its queryset here and every write
asks here first; views never filter by region themselves.

- read scope: the subtree of the node the user is bound to (a grid leader also
  reads the grids they lead; a leader reads but never writes);
- write (capture) scope: the same subtree, except for read-only roles;
- sensitive data: a separate Grant on top of the read scope.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from pingan.accounts.models import Grant, GrantKind, Role, User

READ_ONLY_ROLES = {Role.LEADER, Role.RESIDENT}
# Department handlers read the area they serve; what they may change is decided by
# the events they are dispatched, not by region. Parking staff change parking only.
NO_REGION_WRITE_ROLES = READ_ONLY_ROLES | {Role.DEPARTMENT, Role.PARKING}


class OutOfScope(PermissionDenied):
    """Refused because the record lies outside the user's part of the tree."""


def read_paths(user: User) -> tuple[str, ...]:
    if not user.is_authenticated or user.role == Role.RESIDENT:
        return ()
    if (user.is_superuser or user.role == Role.CITY_CENTRE) and user.region is None:
        # The city's platform may hold its districts as roots, with no city node
        # above them: its centre, bound to no node, reads them all. A city centre
        # bound to a city (or province) node reads what is under it.
        return ("",)
    node = user.region or (user.department.region if user.department else None)
    paths = {node.path} if node else set()
    if user.role == Role.GRID_LEADER:
        paths |= set(user.led_grids.filter(active=True).values_list("path", flat=True))
    return _outermost(paths)


def write_paths(user: User) -> tuple[str, ...]:
    if not user.is_active or user.role in NO_REGION_WRITE_ROLES:
        return ()
    return read_paths(user)


def _outermost(paths: set[str]) -> tuple[str, ...]:
    ordered = sorted(paths)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(kept)


def path_q(paths: tuple[str, ...], field: str = "region_path", *, scan: bool = False) -> Q:
    """Rows under any of `paths`. scan=True for newest-first lists over wide
    scopes (see regions.fields.ScanStartsWith)."""
    if not paths:
        return Q(pk__in=[])
    if "" in paths or whole_tree(paths):
        return Q()
    lookup = "scan_startswith" if scan else "startswith"
    return reduce(or_, (Q(**{f"{field}__{lookup}": path}) for path in paths))


def _never(paths: tuple[str, ...]) -> bool:
    return False


# Whether a scope holds the whole tree (see regions.selectors.covers_whole_tree,
# which the regions app installs here when it is ready: this layer sits below the
# tree and does not read it itself).
whole_tree: Callable[[tuple[str, ...]], bool] = _never


def scope(user: User, queryset: QuerySet, *, field: str = "region_path", write: bool = False):
    """The part of `queryset` the user may read (or, with write=True, change)."""
    paths = write_paths(user) if write else read_paths(user)
    return queryset.filter(path_q(paths, field))


def in_scope(user: User, path: str, *, write: bool = False) -> bool:
    paths = write_paths(user) if write else read_paths(user)
    return any(path.startswith(allowed) for allowed in paths)


def require_scope(user: User, path: str, *, write: bool = False) -> None:
    if not in_scope(user, path, write=write):
        raise OutOfScope("无权访问该区域的数据" if not write else "无权修改该区域的数据")


def has_grant(user: User, kind: GrantKind) -> bool:
    if user.is_superuser:
        return True
    return Grant.objects.filter(user=user, kind=kind).exists()
