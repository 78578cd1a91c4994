"""Who can be reached for a piece of work: the one definition of the grid's staff
and of a department's people that notices, duty and the registry all read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from pingan.accounts.models import GRID_ROLES, Role, User


def able(users: QuerySet[User]) -> QuerySet[User]:
    """Accounts someone can sign in with: active, with a password set."""
    return users.filter(is_active=True).exclude(password__startswith="!")


def grid_staff(grid_ids: Iterable[int], leader_ids: Iterable[int] = ()) -> list[User]:
    """Who can sign in among the grid workers and grid leaders bound to the grids,
    and the grid leaders the grids name (a leader may be bound to a village)."""
    bound = Q(region_id__in=set(grid_ids), role__in=GRID_ROLES)
    return list(able(User.objects.filter(bound | Q(pk__in=set(leader_ids)))))


def department_staff(department_ids: Iterable[int]) -> list[User]:
    """The people of the departments who can sign in."""
    staff = User.objects.filter(role=Role.DEPARTMENT, department_id__in=set(department_ids))
    return list(able(staff))
