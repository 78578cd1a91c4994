"""责任查究: for a period, who was late and whose work came back, per responsible
unit and person, from the same timeline walk as the assessment; and the events
overdue now, by their lead department."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from pingan.accounts.models import Department, User
from pingan.command import indicators
from pingan.command.assessment import cases_for
from pingan.events.lifecycle import OPEN
from pingan.events.selectors import events_for_user

LATE = {
    "accept_on_time": "超时受理",
    "dispatch_on_time": "超时派遣",
    "handle_on_time": "超期处置",
    "verify_on_time": "超时核查",
}
COLUMNS = {**LATE, "rework": "返工"}


@dataclass
class Failing:
    """A unit or person with the late steps and reworks held against them."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    event_ids: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def failures(user: User, *, start: dt.datetime, end: dt.datetime, by: str) -> list[Failing]:
    """by='department' or 'person'; most failures first."""
    found: dict[str, Failing] = {}
    for count in indicators.counts(cases_for(user, start, end), start, end, timezone.now()):
        failed = (count.indicator in LATE and not count.hit) or (
            count.indicator == "rework" and count.hit
        )
        holder = count.department_id if by == "department" else count.person_id
        if not failed or holder is None:
            continue
        entry = found.setdefault(str(holder), Failing(str(holder), str(holder)))
        entry.counts[count.indicator] += 1
        entry.event_ids.add(count.event_id)
    _label(by, found)
    return sorted(found.values(), key=lambda f: (-f.total, f.label))


def _label(by: str, found: dict[str, Failing]) -> None:
    ids = [int(key) for key in found]
    if by == "department":
        names = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    else:
        names = {user.pk: user.label for user in User.objects.filter(pk__in=ids)}
    for key, entry in found.items():
        entry.label = names.get(int(key), key)


def overdue_now(user: User) -> list[dict]:
    """Open events past their deadline, per lead department."""
    overdue = events_for_user(user).filter(state__in=OPEN, overdue=True)
    grouped = overdue.values("lead_department__name").annotate(n=Count("id")).order_by("-n")
    by_department: dict[str, int] = defaultdict(int)
    for row in grouped:
        by_department[row["lead_department__name"] or "（未派遣）"] += row["n"]
    return [{"name": name, "value": n} for name, n in by_department.items()]
