"""Reading the directory of legal service institutions (public)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from pingan.legal import lines
from pingan.legal.models import Institution
from pingan.lib.divisions import Level


def institutions(
    line: str, township_path: str = "", kinds: list[str] | tuple[str, ...] = ()
) -> QuerySet:
    """Those serving `line` (or of `kinds`, a topic's, in order), in the line's order
    of kinds: with a township, its own institutions first, then the district-wide
    ones; without, the district-wide ones first."""
    topic_order = bool(kinds)
    kinds = kinds or lines.INSTITUTIONS.get(line, lines.INSTITUTIONS[lines.CONSULTATION])
    found = Institution.objects.filter(active=True, kind__in=kinds).select_related("region")
    district_wide = Q(region__level=Level.DISTRICT)
    if township_path:
        found = found.filter(district_wide | Q(region_path__startswith=township_path))
        first = Q(region_path__startswith=township_path)
    else:
        first = district_wide
    # A topic's kinds are in the order to go (监察 before 仲裁): kind first, then the
    # nearest; a line's kinds are alternatives: the nearest first.
    order = ("kind_order", "nearby", "name") if topic_order else ("nearby", "kind_order", "name")
    return found.annotate(
        nearby=Case(When(first, then=Value(0)), default=Value(1), output_field=IntegerField()),
        kind_order=Case(
            *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(kinds)],
            output_field=IntegerField(),
        ),
    ).order_by(*order)
