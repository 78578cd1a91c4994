"""Reading the running counts of people and records (kept by database triggers,
migration 0007), and checking them against a recount of the rows themselves."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Sum

from pingan.accounts import access
from pingan.accounts.models import GrantKind, User
from pingan.registry.codes import PersonStatus
from pingan.registry.models import Person, PopulationCount, Record, RecordCount


def people(user: User) -> int:
    counted = access.scope(user, PopulationCount.objects.all())
    return counted.aggregate(n=Sum("count"))["n"] or 0


def records(user: User) -> list[dict]:
    """Open records per category the user may see, most first."""
    counted = access.scope(user, RecordCount.objects.all())
    if not access.has_grant(user, GrantKind.SENSITIVE):
        counted = counted.filter(definition__sensitive=False)
    grouped = counted.values("definition__name").annotate(n=Sum("count")).filter(n__gt=0)
    return [
        {"name": row["definition__name"], "value": row["n"]}
        for row in grouped.order_by("-n", "definition__name")
    ]


def differences() -> list[tuple]:
    """Where a kept count differs from counting the rows: (key, kept, counted)."""
    kept_people = Counter(dict(PopulationCount.objects.values_list("region_path", "count")))
    real_people = Counter(
        dict(
            Person.objects.filter(status=PersonStatus.ACTIVE)
            .values_list("region_path")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    kept_records = Counter(
        {
            (p, d): n
            for p, d, n in RecordCount.objects.values_list("region_path", "definition_id", "count")
        }
    )
    real_records = Counter(
        {
            (p, d): n
            for p, d, n in Record.objects.filter(ended_on__isnull=True)
            .values_list("region_path", "definition_id")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    found = []
    pairs: list[tuple[Counter, Counter]] = [
        (kept_people, real_people),
        (kept_records, real_records),
    ]
    for kept, real in pairs:
        for key in sorted(set(kept) | set(real), key=str):
            if kept.get(key, 0) != real.get(key, 0):
                found.append((key, kept.get(key, 0), real.get(key, 0)))
    return found
