"""Reads for the phone and the web, always scoped through accounts.access: the
offline snapshot of a grid worker's own grids, work records, changes to review."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import GRID_ROLES, User
from pingan.events.models import Category, Event, State
from pingan.events.selectors import events_for_user, handling_reports
from pingan.fieldwork.models import (
    Change,
    ChangeStatus,
    FieldPolicy,
    InspectionTask,
    Kind,
    WorkRecord,
)
from pingan.fieldwork.services import FINDINGS, FieldError, checklists
from pingan.lib.divisions import Level
from pingan.regions.models import Region
from pingan.registry.codes import HouseUse, PersonStatus
from pingan.registry.models import House, Household, Person, Place
from pingan.registry.selectors import definitions_for_user, records_for_user
from pingan.things.models import Part, PartState

SNAPSHOT_ROLES = GRID_ROLES  # whose phone keeps its grids offline


def work_for_user(user: User) -> QuerySet[WorkRecord]:
    return access.scope(user, WorkRecord.objects.all())


def work_get_for_user(user: User, work_id: int) -> WorkRecord:
    record = work_for_user(user).filter(pk=work_id).select_related("by", "grid").first()
    if record is None:
        raise Http404("没有找到该工作记录，或无权查看")
    return record


def changes_for_user(user: User) -> QuerySet[Change]:
    return access.scope(user, Change.objects.all()).select_related("actor", "grid")


def change_get_for_user(user: User, change_id: int) -> Change:
    change = changes_for_user(user).filter(pk=change_id).first()
    if change is None:
        raise Http404("没有找到该修改，或无权查看")
    return change


def field_grids(user: User) -> list[Region]:
    """The grids whose data a phone may keep offline: only the worker's own."""
    if user.role not in SNAPSHOT_ROLES:
        raise FieldError("离线数据只提供给网格员和网格长")
    grids = access.scope(user, Region.objects.filter(level=Level.GRID, active=True), field="path")
    return list(grids.order_by("path"))


def snapshot(user: User) -> dict:
    """Everything the worker's day needs with no signal, for their grids only:
    households, people (numbers masked), houses, category records, places with
    their checklists, events to verify, inspections assigned, open changes."""
    grids = field_grids(user)
    paths = tuple(grid.path for grid in grids)
    under = access.path_q(paths)
    today = timezone.localdate()
    return {
        "generated_at": timezone.now().isoformat(),
        "grids": [_grid(grid) for grid in grids],
        "households": _households(under),
        "people": _people(under, today),
        "houses": list(
            House.objects.filter(under).values("id", "number", "address", "use", "owner_name")
        ),
        "records": _records(user, under),
        "places": list(Place.objects.filter(under).values("id", "kind", "name", "address")),
        "parts": _parts(under),
        "checklists": checklists(),
        "findings": FINDINGS,
        "verify": _to_verify(user, under),
        "inspections": _inspections(user),
        "changes": _open_changes(user),
        "categories": _categories(),
        "definitions": [
            {
                "code": d.code,
                "name": d.name,
                "subject": d.subject,
                "fields": d.fields,
                "visit_days": d.visit_days,
            }
            for d in definitions_for_user(user)
        ],
        "house_uses": HouseUse.choices,
        "visits": _recent_visits(under),
        "visit_every_days": _visit_every_days(grids),
    }


def _parts(under) -> list[dict]:
    """The grids' 部件, to report one damaged in a tap without signal."""
    return [
        {
            "code": code,
            "name": name,
            "class_name": class_name,
            "state": state,
            "state_label": str(PartState(state).label),
            "address": address,
            "lng": lng,
            "lat": lat,
        }
        for code, name, class_name, state, address, lng, lat in Part.objects.filter(under)
        .order_by("part_class__code", "code")
        .values_list("code", "name", "part_class__name", "state", "address", "lng", "lat")
    ]


def _grid(grid: Region) -> dict:
    return {"id": grid.pk, "code": grid.code, "name": grid.name, "boundary": grid.boundary}


RECENT_VISITS = 3


def _recent_visits(under) -> list[dict]:
    """The last few visits to each household over the past year, for its card."""
    since = timezone.now() - dt.timedelta(days=365)
    visits = (
        WorkRecord.objects.filter(under, kind=Kind.VISIT, household__isnull=False, at__gte=since)
        .select_related("by")
        .order_by("-at")
    )
    kept: dict[int, int] = {}
    found = []
    for visit in visits.iterator():
        household_id = int(visit.household_id or 0)
        if kept.get(household_id, 0) < RECENT_VISITS:
            kept[household_id] = kept.get(household_id, 0) + 1
            found.append(
                {
                    "household_id": household_id,
                    "at": timezone.localtime(visit.at).date().isoformat(),
                    "by": visit.by.label,
                    "note": visit.note[:200],
                }
            )
    return found


def _households(under) -> list[dict]:
    last = dict(
        WorkRecord.objects.filter(under, kind=Kind.VISIT, household__isnull=False)
        .values_list("household_id")
        .annotate(Max("at"))
    )
    households = Household.objects.filter(under).order_by("number")
    columns = ("id", "number", "address", "village_group", "lng", "lat", "grid_id")
    rows = [dict(row) for row in households.values(*columns)]
    for row in rows:
        visited = last.get(row["id"])
        row["last_visit"] = timezone.localtime(visited).date().isoformat() if visited else None
    return rows


PERSON_COLUMNS = [
    "id",
    "household_id",
    "house_id",
    "name",
    "gender",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "relation_to_head",
    "resident_type",
    "ethnicity",
    "occupation",
    "workplace",
    "current_address",
    "marital_status",
    "education",
    "political_status",
]


def _people(under, today: dt.date) -> list[dict]:
    """Active people with their age instead of a birth date: the phone needs no more."""
    rows = list(Person.objects.filter(under, status=PersonStatus.ACTIVE).values(*PERSON_COLUMNS))
    for row in rows:
        born = row.pop("birth_date")
        row["age"] = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return rows


def _records(user: User, under) -> list[dict]:
    found = (
        records_for_user(user)
        .filter(under, ended_on__isnull=True)
        .values(
            "id",
            "subject",
            "subject_id",
            "risk_level",
            "next_visit_due",
            "definition__code",
            "definition__name",
        )
    )
    return [dict(row) for row in found]


def _to_verify(user: User, under) -> list[dict]:
    """Handled events in the worker's grids, waiting for a check on site."""
    waiting = events_for_user(user).filter(under, state=State.HANDLED)
    events = list(waiting.select_related("category", "lead_department").order_by("deadline")[:100])
    handled = handling_reports([e.pk for e in events])
    return [
        {
            "id": event.pk,
            "receipt": event.receipt,
            "category": event.category.name,
            "description": event.description[:200],
            "address": event.address,
            "version": event.version,
            "deadline": event.deadline,
            "department": event.lead_department.name if event.lead_department else "",
            "handled_note": handled.get(event.pk, {}).get("note", ""),
            "photos": [
                {"url": reverse("events:photo", args=[p.pk]), "stage": p.stage}
                for p in handled.get(event.pk, {}).get("photos", [])
            ],
        }
        for event in events
    ]


def _inspections(user: User) -> list[dict]:
    tasks = InspectionTask.objects.filter(assignee=user, done__isnull=True).select_related("place")
    return [
        {
            "id": task.pk,
            "place_id": task.place_id,
            "place": task.place.name,
            "due_on": task.due_on,
            "note": task.note,
        }
        for task in tasks.order_by("due_on")
    ]


def _open_changes(user: User) -> list[dict]:
    open_ = Change.objects.filter(
        actor=user, status__in=[ChangeStatus.PENDING, ChangeStatus.CONFLICT]
    )
    return [change_out(change) for change in open_.order_by("id")]


def change_out(change: Change) -> dict:
    return {
        "id": change.pk,
        "kind": change.kind,
        "kind_label": change.get_kind_display(),
        "status": change.status,
        "status_label": change.get_status_display(),
        "target_id": change.target_id,
        "payload": {k: v for k, v in change.payload.items() if k != "id_number"},
        "base": change.base,
        "server": change.server,
        "review_note": change.review_note,
    }


def _categories() -> list[dict]:
    leaves = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    return [
        {"code": c.code, "name": c.name, "group": c.parent.name}  # type: ignore[union-attr]
        for c in leaves.order_by("code")
    ]


def _visit_every_days(grids: list[Region]) -> int:
    villages = {grid.parent_id for grid in grids}
    policies = FieldPolicy.objects.filter(village_id__in=villages)
    return min((p.visit_every_days for p in policies), default=90)


def department_todo(user: User) -> list[Event]:
    from pingan.events.selectors import department_todo as todo

    return list(todo(user).select_related("category").order_by("deadline")[:100])


def centre_inbox(user: User) -> list[Event]:
    """Events waiting on a centre: to accept, or accepted and still to dispatch."""
    waiting = events_for_user(user).filter(
        state__in=[State.REPORTED, State.ACCEPTED, State.RETURNED]
    )
    return list(waiting.select_related("category").order_by("-id")[:100])


def inspections_for_user(user: User) -> QuerySet[InspectionTask]:
    tasks = access.scope(user, InspectionTask.objects.all())
    return tasks.select_related("place", "assignee", "done")


def places_for_user(user: User) -> QuerySet[Place]:
    return access.scope(user, Place.objects.all())


def field_staff_for_user(user: User) -> QuerySet[User]:
    """Grid workers and grid leaders bound inside the user's subtree."""
    staff = User.objects.filter(role__in=GRID_ROLES, is_active=True)
    return staff.filter(access.path_q(access.read_paths(user), field="region__path"))
