from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import GrantKind, User
from pingan.audit.models import JournalEntry
from pingan.regions.models import Region
from pingan.registry.models import Definition, Household, Person, Record


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
    user: User,
    *,
    under: Region | None = None,
    name: str = "",
    query: str = "",
    after: str = "",
    limit: int = 50,
) -> tuple[list[Person], str | None]:
    """One page of people in order of (grid path, id): the order of the
    (region_path, id) index, so a page costs the same for a grid and a district."""
    from pingan.registry.services import RegistryError

    people = people_for_user(user)
    if under is not None:
        people = people.filter(region_path__startswith=under.path)
    if name:
        people = people.filter(name=name)
    if query:
        people = people.filter(_matching(query))
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


def _matching(query: str) -> Q:
    """A name, or an exact identity or phone number (found by its keyed hash: the
    numbers themselves are encrypted)."""
    from pingan.lib import idnumber
    from pingan.registry.crypto import cipher

    query = query.strip()
    try:
        number = idnumber.parse(query).number
    except idnumber.InvalidIdNumber:
        pass
    else:
        return Q(id_number_hash=cipher().lookup_hash(number))
    if query.isdigit() and len(query) >= 7:
        return Q(phone_hash=cipher().lookup_hash(query))
    return Q(name=query)


def records_for_user(user: User) -> QuerySet[Record]:
    """Category records in the user's scope; sensitive categories (特殊人群, 重点青少年 …)
    only with the sensitive-data grant."""
    records = access.scope(user, Record.objects.all())
    if not access.has_grant(user, GrantKind.SENSITIVE):
        records = records.filter(definition__sensitive=False)
    return records


def definitions_for_user(user: User) -> list[Definition]:
    sensitive_ok = access.has_grant(user, GrantKind.SENSITIVE)
    return [d for d in Definition.objects.filter(active=True) if sensitive_ok or not d.sensitive]


def records_of(user: User, subject: str, subject_id: int) -> list[Record]:
    return list(
        records_for_user(user)
        .filter(subject=subject, subject_id=subject_id)
        .select_related("definition", "helper")
        .order_by("ended_on", "-started_on")
    )


def visits_due(user: User, *, within_days: int = 7) -> list[Record]:
    """Open records whose follow-up visit is overdue or falls due within a week,
    most overdue first: the grid worker's visiting list."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    return list(
        records_for_user(user)
        .filter(ended_on__isnull=True, next_visit_due__lte=horizon)
        .select_related("definition", "grid")
        .defer("grid__boundary")
        .order_by("next_visit_due", "id")[:200]
    )


def subjects_by_id(records: list[Record]) -> dict[tuple[str, int], object]:
    """The person, house … each record is about, fetched once per kind."""
    from pingan.registry.records import SUBJECT_MODELS

    wanted: dict[str, set[int]] = {}
    for record in records:
        wanted.setdefault(record.subject, set()).add(record.subject_id)
    found: dict[tuple[str, int], object] = {}
    for subject, ids in wanted.items():
        for obj in SUBJECT_MODELS[subject].objects.filter(pk__in=ids):  # type: ignore[attr-defined]
            found[(subject, obj.pk)] = obj
    return found


def who_looked(person: Person) -> QuerySet[JournalEntry]:
    """Everyone who opened this person's record or revealed a number, newest first."""
    return JournalEntry.objects.filter(
        object_type="person",
        object_id=str(person.pk),
        action__in=["person.view", "person.reveal_id"],
    ).order_by("-seq")
