"""Assessment per township, village, grid, department or person for any period:
the indicators of `indicators`, the weighted score and the ranking. Everything is
read through the user's scope (events.selectors.events_for_user)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from pingan.accounts.models import Department, User
from pingan.command import indicators
from pingan.command.indicators import Case, Count, Figure, Step
from pingan.command.models import weights_in_use
from pingan.events.lifecycle import OPEN
from pingan.events.models import Event
from pingan.events.models import Step as EventStep
from pingan.events.selectors import events_for_user
from pingan.lib.errors import DomainError
from pingan.regions.models import Region

DEPTH = {"township": 2, "village": 3, "grid": 4}
UNITS = {
    "township": "乡镇/街道",
    "village": "村/社区",
    "grid": "网格",
    "department": "职能部门",
    "person": "人员",
}


class AssessmentError(DomainError):
    pass


@dataclass
class Row:
    key: str
    label: str
    figures: dict[str, Figure]
    score: float | None
    rank: int | None = None


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """'2026-11' → the first instants of November and December, local time."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise AssessmentError("月份格式应为 YYYY-MM") from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return timezone.make_aware(first), timezone.make_aware(following)


def cases_for(user: User, start: dt.datetime, end: dt.datetime) -> list[Case]:
    """The user's events that the period can concern: open ones, those closed since
    it began, and those with any step in it; with their steps before its end."""
    scoped = events_for_user(user).filter(created_at__lt=end)
    stepped = EventStep.objects.filter(at__gte=start, at__lt=end).values("event_id")
    wanted = scoped.filter(Q(state__in=OPEN) | Q(closed_at__gte=start) | Q(pk__in=stepped))
    events = list(wanted.values("id", "region_path", "reporter_id", "created_at"))
    steps = _steps_of([e["id"] for e in events], end)
    return [
        Case(e["id"], e["region_path"], e["reporter_id"], e["created_at"], steps.get(e["id"], []))
        for e in events
    ]


def _steps_of(event_ids: list[int], end: dt.datetime) -> dict[int, list[Step]]:
    rows = list(
        EventStep.objects.filter(event_id__in=event_ids, at__lt=end)
        .order_by("event_id", "at", "id")
        .values_list("event_id", "action", "to_state", "at", "actor_id", "data")
    )
    actors = {row[4] for row in rows if row[4]}
    departments = dict(
        User.objects.filter(pk__in=actors, department__isnull=False).values_list(
            "pk", "department_id"
        )
    )
    found: dict[int, list[Step]] = defaultdict(list)
    for event_id, action, to_state, at, actor_id, data in rows:
        found[event_id].append(
            Step(action, to_state, at, actor_id, departments.get(actor_id), data or {})
        )
    return found


def assess(user: User, *, start: dt.datetime, end: dt.datetime, by: str) -> tuple[list[Row], Row]:
    """One row per unit, ranked by score, and the row of the whole scope."""
    if by not in UNITS:
        raise AssessmentError(f"未知的考核对象：{by}")
    found = list(indicators.counts(cases_for(user, start, end), start, end, timezone.now()))
    weights = weights_in_use()
    groups: dict[str, list[Count]] = defaultdict(list)
    for count in found:
        key = unit_key(count, by)
        if key is not None:
            groups[key].append(count)
    labels = _labels(by, list(groups))
    rows = []
    for key, members in groups.items():
        figures = indicators.tally(members)
        rows.append(Row(key, labels.get(key, key), figures, indicators.score(figures, weights)))
    _rank(rows)
    whole = indicators.tally(found)
    return rows, Row("", "合计", whole, indicators.score(whole, weights))


def unit_key(count: Count, by: str) -> str | None:
    if by in DEPTH:
        parts = count.region_path.split("/")
        return "/".join(parts[: DEPTH[by]]) + "/" if len(parts) > DEPTH[by] else None
    value = count.department_id if by == "department" else count.person_id
    return str(value) if value is not None else None


def _labels(by: str, keys: list[str]) -> dict[str, str]:
    if by in DEPTH:
        return dict(Region.objects.filter(path__in=keys).values_list("path", "name"))
    ids = [int(key) for key in keys]
    if by == "department":
        return {
            str(pk): name
            for pk, name in Department.objects.filter(pk__in=ids).values_list("pk", "name")
        }
    return {str(user.pk): user.label for user in User.objects.filter(pk__in=ids)}


def _rank(rows: list[Row]) -> None:
    """Highest score first; units without a score come last, unranked."""
    rows.sort(key=lambda row: (row.score is None, -(row.score or 0), row.label))
    for position, row in enumerate(rows, 1):
        row.rank = position if row.score is not None else None


def events_behind(
    user: User,
    *,
    start: dt.datetime,
    end: dt.datetime,
    by: str,
    key: str,
    indicator: str,
    hits: bool,
) -> QuerySet[Event]:
    """The events behind one figure: its numerator (hits) or its denominator."""
    if indicator not in indicators.BY_CODE:
        raise AssessmentError(f"未知的指标：{indicator}")
    found = indicators.counts(cases_for(user, start, end), start, end, timezone.now())
    ids = {
        count.event_id
        for count in found
        if count.indicator == indicator
        and (not key or unit_key(count, by) == key)
        and (count.hit or not hits)
    }
    return (
        events_for_user(user).filter(pk__in=ids).select_related("category", "grid").order_by("-id")
    )
