"""Who must act next on an event, and who may verify it.

Verification belongs to the people of the place, but a grid may have no worker
for weeks, so it falls back up the tree: grid worker → grid leader → village
centre → township centre. At 处置完毕 the event starts at the first tier that has
someone able to sign in; when the verify time limit runs out, the sweep moves it
to the next such tier (the `refer_verify` step). Lower tiers keep the right to
verify: a worker back from leave may still close their own grid's event."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Q

from pingan.accounts import access
from pingan.accounts.models import GRID_ROLES, Role, User
from pingan.accounts.selectors import able, grid_staff
from pingan.events import handover, notify
from pingan.events.models import Assignment, AssignmentRole, Event, Level, State
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.divisions import ancestor_path
from pingan.regions.models import Region


class Tier(IntEnum):
    GRID_WORKER = 0
    GRID_LEADER = 1
    VILLAGE = 2
    TOWNSHIP = 3


TIER_LABELS = {
    Tier.GRID_WORKER: "网格员",
    Tier.GRID_LEADER: "网格长",
    Tier.VILLAGE: "村/社区综治中心",
    Tier.TOWNSHIP: "乡镇/街道综治中心",
}
# The lowest tier from which each role may verify.
ROLE_TIER: dict[str, Tier] = {
    Role.GRID_WORKER: Tier.GRID_WORKER,
    Role.GRID_LEADER: Tier.GRID_WORKER,
    Role.VILLAGE_CENTRE: Tier.VILLAGE,
    Role.TOWNSHIP_CENTRE: Tier.TOWNSHIP,
}
# ---- verification -----------------------------------------------------------------


def may_verify(event: Event, actor: User) -> bool:
    if event.reporter_id == actor.pk:
        return True
    tier = ROLE_TIER.get(actor.role)
    return (
        tier is not None
        and tier <= event.verify_tier
        and access.in_scope(actor, event.region_path, write=True)
    )


# The centre tiers: the level of the node whose centre verifies, and its role.
CENTRE_TIERS = {
    Tier.VILLAGE: (RegionLevel.VILLAGE, Role.VILLAGE_CENTRE),
    Tier.TOWNSHIP: (RegionLevel.TOWNSHIP, Role.TOWNSHIP_CENTRE),
}


def tier_users(event: Event, tier: Tier) -> list[User]:
    if tier in CENTRE_TIERS:
        role = CENTRE_TIERS[tier][1]
        staff = User.objects.filter(role=role, region__path=_tier_path(event, tier))
        return list(able(staff))
    return [user for user in _grid_people([event]) if _of_tier(user, event, tier)]


def _tier_path(event: Event, tier: Tier) -> str:
    return ancestor_path(event.region_path, CENTRE_TIERS[tier][0])


def _grid_people(events: list[Event]) -> list[User]:
    """Who can sign in among the grid staff and grid leaders of the events' grids."""
    leaders = {event.grid.leader_id for event in events if event.grid.leader_id}
    return grid_staff((event.grid_id for event in events), leaders)


def _of_tier(user: User, event: Event, tier: Tier) -> bool:
    """Whether `user` is of the event's grid tier: its worker, or its leader."""
    if tier == Tier.GRID_WORKER:
        return user.region_id == event.grid_id and user.role == Role.GRID_WORKER
    own = user.region_id == event.grid_id and user.role == Role.GRID_LEADER
    return own or user.pk == event.grid.leader_id


def first_able_tier(event: Event, start: int = Tier.GRID_WORKER) -> Tier:
    """The first tier from `start` up with someone who can act; the township
    centre when none below can (it is the last resort and always answers)."""
    for tier in Tier:
        if tier >= start and (tier == Tier.TOWNSHIP or tier_users(event, tier)):
            return tier
    return Tier.TOWNSHIP


def verifier_users(event: Event) -> list[User]:
    """Who is asked to verify now: the tier the event has reached."""
    return tier_users(event, Tier(event.verify_tier))


# ---- who must act next ----------------------------------------------------------


CENTRE_TASKS = {
    State.REPORTED: "受理",
    State.ACCEPTED: "派遣",
    State.RETURNED: "重新派遣",
    State.SUSPENDED: "恢复处置",
    State.CLOSED: "回访并评价归档",
}


@dataclass(frozen=True)
class Duty:
    who: str  # 三合镇社区综治中心 · 平安区城管局（承办人 李明） · 网格员 王芳
    task: str  # 受理 · 签收 · 处置 · 核查 · 回访并评价

    def __str__(self) -> str:
        return f"{self.who}：{self.task}"


def duties(events: list[Event]) -> list[Duty | None]:
    """What each event waits for and from whom, in a few queries for a page."""
    held = notify.staffed(notify.centre_staff())
    ours = [e for e in events if not e.held_by and e.level != Level.CITY]
    centres = {e.pk: _holder_path(e, held) for e in ours}
    waiting = [e for e in events if e.state == State.HANDLED]
    at_centres = {
        _tier_path(e, Tier(e.verify_tier)) for e in waiting if e.verify_tier in CENTRE_TIERS
    }
    paths = set(centres.values()) | at_centres
    regions = Region.objects.filter(path__in=paths).values_list("path", "name")
    names = {path: f"{name}综治中心" for path, name in regions}
    handlers = _handlers(events)
    verifiers = _verifier_labels(waiting, names)
    return [
        _elsewhere(e)
        if e.held_by
        else _duty(e, _centre(e, centres, names), handlers, verifiers.get(e.pk, ""))
        for e in events
    ]


def _centre(event: Event, centres: dict[int, str], names: dict[str, str]) -> str:
    if event.level == Level.CITY:
        return "市综治中心"  # the city's platform: its centre is bound to no node
    return names.get(centres[event.pk], "综治中心")


def _elsewhere(event: Event) -> Duty:
    """A case held on another platform (互联互通): that platform acts; here one may
    only follow it and 督办."""
    return Duty(handover.name(event.held_by), "办理（本级可查看、督办）")


def duty(event: Event) -> Duty | None:
    return duties([event])[0]


def _holder_path(event: Event, held: set[tuple[str, str]]) -> str:
    return notify.centre_path(event, notify.holding_level(event, held))


def _duty(event: Event, centre: str, handlers: dict[int, str], verifier: str) -> Duty | None:
    state = State(event.state)
    if state in CENTRE_TASKS:
        return Duty(centre, CENTRE_TASKS[state])
    if state == State.HANDLING and event.pending_request:
        kind = "延期" if event.pending_request == "extension" else "缓办"
        return Duty(centre, f"审批{kind}申请")
    if state in (State.DISPATCHED, State.HANDLING):
        department = event.lead_department.name if event.lead_department else "主办部门"
        handler = handlers.get(event.pk)
        who = f"{department}（承办人 {handler}）" if handler else department
        return Duty(who, "签收" if state == State.DISPATCHED else "处置")
    if state == State.HANDLED:
        return Duty(verifier, "现场核查")
    return None


def _handlers(events: list[Event]) -> dict[int, str]:
    ids = [e.pk for e in events if e.state in (State.DISPATCHED, State.HANDLING)]
    leads = Assignment.objects.filter(
        event_id__in=ids, role=AssignmentRole.LEAD, active=True, handler__isnull=False
    ).select_related("handler")
    return {a.event_id: a.handler.label for a in leads}  # type: ignore[union-attr]


def _verifier_labels(waiting: list[Event], names: dict[str, str]) -> dict[int, str]:
    """The verifier each handled event waits for: the centre by name, or the grid
    tier with the first two of its people (their staff read in one query)."""
    at_grid = [e for e in waiting if e.verify_tier not in CENTRE_TIERS]
    people = _grid_people(at_grid) if at_grid else []
    labels = {}
    for event in waiting:
        tier = Tier(event.verify_tier)
        if tier in CENTRE_TIERS:
            labels[event.pk] = names.get(_tier_path(event, tier), TIER_LABELS[tier])
            continue
        first = [u.label for u in people if _of_tier(u, event, tier)][:2]
        labels[event.pk] = f"{TIER_LABELS[tier]} {'、'.join(first)}".strip()
    return labels


def duty_users(event: Event) -> list[User]:
    """The people the time-limit sweep warns: those who must act next."""
    state = State(event.state)
    if state == State.HANDLED:
        return verifier_users(event)
    if state in (State.DISPATCHED, State.HANDLING) and not event.pending_request:
        return _department_people(event)
    return notify.centre_users(event)


def _department_people(event: Event) -> list[User]:
    lead = event.assignments.filter(role=AssignmentRole.LEAD, active=True).first()
    if lead is None:
        return []
    if lead.handler_id and lead.handler.is_active:  # type: ignore[union-attr]
        return [lead.handler]  # type: ignore[list-item]
    return notify.department_users([lead.department])


# ---- what waits for this user -----------------------------------------------------

ROLE_LEVEL: dict[str, Level] = {role: level for level, role in notify.CENTRE_ROLE_FOR_LEVEL.items()}
CENTRE_WORK = Q(state__in=list(CENTRE_TASKS)) | Q(state=State.HANDLING) & ~Q(pending_request="")


def awaiting(user: User) -> Q:
    """Events (within what the user may read) that wait for this user's own
    action: the queue's default view. The same rules as `_duty`, as a query."""
    if user.role == Role.DEPARTMENT:
        mine = Assignment.objects.filter(department=user.department_id, active=True)
        return Q(state__in=[State.DISPATCHED, State.HANDLING], pk__in=mine.values("event_id"))
    verify = Q(state=State.HANDLED)
    if user.role in GRID_ROLES:
        return verify
    level = ROLE_LEVEL.get(user.role, Level.DISTRICT if user.role == Role.ADMIN else None)
    if level is None:
        return Q(pk__in=[])
    waits = CENTRE_WORK & _held_at(level, notify.staffed(notify.centre_staff()))
    tier = ROLE_TIER.get(user.role)
    if tier is not None:
        waits |= verify & Q(verify_tier__gte=tier)
    return waits


def _held_at(level: Level, held: set[tuple[str, str]]) -> Q:
    """Events whose holding centre is at `level`: their own level, or a level below
    whose centres (up to this one) have nobody to act (notify.holding_level)."""
    levels = notify.CENTRE_LEVELS
    q = Q(level=level)
    for lower in levels[: levels.index(level)]:
        unstaffed = Q(level=lower)
        for between in levels[levels.index(lower) : levels.index(level)]:
            role = notify.CENTRE_ROLE_FOR_LEVEL[between]
            for held_role, path in held:
                if held_role == role:
                    unstaffed &= ~Q(region_path__startswith=path)
        q |= unstaffed
    return q
