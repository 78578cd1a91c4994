from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from pingan.accounts import access
from pingan.accounts.models import User
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
