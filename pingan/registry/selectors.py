from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import User
from pingan.regions.models import Region
from pingan.registry.models import Household, Person


def people_for_user(user: User) -> QuerySet[Person]:
    return access.scope(user, Person.objects.all())


def households_for_user(user: User) -> QuerySet[Household]:
    return access.scope(user, Household.objects.all())


def person_get_for_user(user: User, person_id: int) -> Person:
    person = people_for_user(user).filter(pk=person_id).first()
    if person is None:
        raise Http404("没有找到该人员，或无权查看")
    return person


def people_page(
    user: User, *, under: Region | None = None, name: str = "", after: str = "", limit: int = 50
) -> tuple[list[Person], str | None]:
    """One page of people in order of (grid path, id): the order of the
    (region_path, id) index, so a page costs the same for a grid and a district."""
    from pingan.registry.services import RegistryError

    people = people_for_user(user)
    if under is not None:
        people = people.filter(region_path__startswith=under.path)
    if name:
        people = people.filter(name=name)
    if after:
        path, _, last_id = after.rpartition("~")
        if not path or not last_id.isdigit():
            raise RegistryError("分页参数 after 无效")
        people = people.filter(Q(region_path__gt=path) | Q(region_path=path, id__gt=int(last_id)))
    limit = max(1, min(limit, 200))
    ordered = people.select_related("grid", "household").order_by("region_path", "id")
    items = list(ordered[:limit])
    next_after = f"{items[-1].region_path}~{items[-1].id}" if len(items) == limit else None
    return items, next_after
