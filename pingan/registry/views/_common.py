"""What the registry's pages share: who administers, the
grids a user may write and the categories they may see."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from pingan.accounts import access
from pingan.accounts.models import Role
from pingan.lib.divisions import Level
from pingan.lib.http import StaffRequest
from pingan.regions.models import Region
from pingan.registry import records
from pingan.registry.models import Definition


def is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def writable_grids(user) -> list[Region]:
    grids = Region.objects.filter(level=Level.GRID, active=True).defer("boundary")
    return list(access.scope(user, grids, field="path", write=True).order_by("path")[:2000])


def definition_for(request: StaffRequest, code: str) -> Definition:
    """An active category the user may see, or 404."""
    definition = get_object_or_404(Definition, code=code, active=True)
    records.require_may_see(request.user, definition)
    return definition
