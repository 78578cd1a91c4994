"""What crosses a link, and what it does on arrival (docs/links/ has a page for each
message type):

- `event.escalated`: a district hands an event up to the city (上报上级);
- `event.assigned`: the city hands one down to a district (交办);
- `event.step`: a step taken on an event that lives on both sides, mirrored;
- `figures.daily`: a district's running counts and indicators, for the city;
- `journal.checkpoint`: the head of a district's journal, so the city notices a
  rewritten history.

Messages about an event go in the transaction of the step that caused them (the
transition's `event_moved` signal) and carry its key: the platform it was born on
and its id there. Codes are sent as the sender has them; the receiver translates
them by its tables (mapping.py), and a code it cannot translate refuses the message
until an administrator maps it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from pingan.accounts.models import Role, User
from pingan.audit.models import JournalEntry, JournalHead
from pingan.command.assessment import assess
from pingan.command.indicators import INDICATORS
from pingan.command.overview import overview
from pingan.events import handover, mirror
from pingan.events.models import Category, Event, Level, Step
from pingan.lib.dates import parse_moment
from pingan.lib.divisions import Level as RegionLevel
from pingan.lib.divisions import full_code
from pingan.lib.errors import DomainError
from pingan.lib.periods import day_start, period_bounds
from pingan.links import mapping
from pingan.links.handlers import handles
from pingan.links.models import Checkpoint, Figures, Link, LinkedEvent, MappingKind, Side
from pingan.links.outbox import message_send, own_code
from pingan.regions import geo
from pingan.regions.models import Region
from pingan.regions.selectors import installation_root

# ---- which link an event goes to ------------------------------------------------


def upper_code() -> str:
    found = Link.objects.filter(side=Side.UPPER, enabled=True).values_list("region_code", flat=True)
    return found.first() or ""


def lower_code(event: Event) -> str:
    """The district below whose node holds the event (on the city's platform a
    district is a node of the tree: its path starts with the district's code)."""
    district = event.region_path.split("/", 1)[0]
    found = Link.objects.filter(side=Side.LOWER, enabled=True, region_code=district)
    return found.values_list("region_code", flat=True).first() or ""


def platform_name(code: str) -> str:
    link = Link.objects.filter(region_code=code).only("name").first()
    return link.name if link else code


def install() -> None:
    handover.upper = upper_code
    handover.lower = lower_code
    handover.name = platform_name


# ---- sending --------------------------------------------------------------------


def event_moved(sender: Any, *, event: Event, action: str, **kwargs: Any) -> None:
    """The transition's signal, in its transaction: the message its step makes."""
    step = event.steps.order_by("-id").first()
    if step is None:
        return
    if action == "escalate" and event.held_by:
        _hand_over(Link.objects.get(region_code=event.held_by), event, step, "event.escalated")
    elif action == "assign_down":
        _hand_over(Link.objects.get(region_code=event.held_by), event, step, "event.assigned")
    else:
        linked = LinkedEvent.objects.filter(event=event).select_related("link").first()
        if linked is not None:
            data = {"event": _key(linked), "step": mirror.step_view(step)}
            data["columns"] = mirror.columns(event)
            message_send(linked.link, "event.step", data, subject=linked.subject)


def _hand_over(link: Link, event: Event, step: Step, kind: str) -> None:
    linked = LinkedEvent.objects.filter(event=event).first()
    if linked is None:
        linked = LinkedEvent.objects.create(
            link=link, event=event, origin=own_code(), origin_id=event.pk
        )
    data = {"event": _key(linked), "case": mirror.case_view(event), "step": mirror.step_view(step)}
    message_send(link, kind, data, subject=linked.subject)


def _key(linked: LinkedEvent) -> dict[str, Any]:
    return {"origin": linked.origin, "id": linked.origin_id}


# ---- receiving ------------------------------------------------------------------


def _found(link: Link, key: Any) -> Event | None:
    """The event a message names: this platform's own by its id, else its copy."""
    if not isinstance(key, dict) or not key.get("origin") or not str(key.get("id", "")).isdigit():
        raise DomainError("消息缺少事件标识（event.origin、event.id）")
    if key["origin"] == own_code():
        return Event.objects.filter(pk=int(key["id"])).first()
    linked = LinkedEvent.objects.filter(origin=key["origin"], origin_id=int(key["id"])).first()
    return linked.event if linked else None


def _category(link: Link, case: dict[str, Any]) -> Category:
    code = mapping.ours(link, MappingKind.CATEGORY, str(case.get("category") or ""))
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise DomainError(f"对照表中的事件类别 {code} 在本平台不存在")
    return category


def _remember(link: Link, event: Event, key: dict[str, Any]) -> None:
    if key["origin"] != own_code():
        LinkedEvent.objects.get_or_create(
            event=event, defaults={"link": link, "origin": key["origin"], "origin_id": key["id"]}
        )


def _case(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    case, step = data.get("case"), data.get("step")
    if not isinstance(case, dict) or not isinstance(step, dict):
        raise DomainError("消息缺少 case 或 step")
    return case, step


@handles("event.escalated")
def _escalated(link: Link, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    if link.side != Side.LOWER:
        raise DomainError("只有下级平台可以上报事件")
    _case(data)  # refused before anything is looked up
    node = Region.objects.filter(
        level=RegionLevel.DISTRICT, code=full_code(RegionLevel.DISTRICT, link.region_code)
    ).first()
    if node is None:
        raise DomainError(f"本平台的区划中没有 {link.region_code}，请先建立该区县节点")
    return _take(link, data, _found(link, data.get("event")), node, Level.CITY, now)


@handles("event.assigned")
def _assigned(link: Link, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    if link.side != Side.UPPER:
        raise DomainError("只有上级平台可以交办事件")
    event = _found(link, data.get("event"))
    node = event.grid if event else _place(_case(data)[0])
    return _take(link, data, event, node, Level.DISTRICT, now)


def _take(
    link: Link,
    data: dict[str, Any],
    event: Event | None,
    node: Region,
    level: Level,
    now: dt.datetime,
) -> dict[str, Any]:
    """A case handed over: this platform's event (taken back, or new) holds it now."""
    case, step = _case(data)
    event = mirror.case_take(
        event,
        case=case,
        step=step,
        category=_category(link, case),
        node=node,
        level=level,
        origin=link.region_code,
        now=now,
    )
    _remember(link, event, data["event"])
    return {"receipt": event.receipt, "state": event.state}


def _place(case: dict[str, Any]) -> Region:
    """Where a case born above lies here: the grid of its point, else the district."""
    try:
        grid = geo.locate(float(case.get("lng") or 0), float(case.get("lat") or 0))
    except (TypeError, ValueError):
        grid = None
    top = installation_root()
    if grid is None and top is None:
        raise DomainError("本平台还没有区划")
    return grid or top  # type: ignore[return-value]


@handles("event.step")
def _step(link: Link, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    event = _found(link, data.get("event"))
    step, columns = data.get("step"), data.get("columns")
    if event is None:
        raise DomainError("没有找到该事件：请先送达上报或交办消息")
    if not isinstance(step, dict) or not isinstance(columns, dict):
        raise DomainError("消息缺少 step 或 columns")
    holder = event.held_by == link.region_code
    mirror.step_apply(event, step=step, given=columns, origin=link.region_code, holder=holder)
    return {"receipt": event.receipt, "state": event.state}


# ---- figures and checkpoints ----------------------------------------------------


def viewer() -> User:
    """Who the figures are counted for: the whole platform (never saved)."""
    return User(username="links", role=Role.ADMIN, is_superuser=True, region=None)


def figures_today(today: dt.date | None = None) -> dict[str, Any]:
    """The platform's figures as its own command centre counts them: the overview
    of the month so far, and the month's assessment of every township."""
    today = today or timezone.localdate()
    first, last = period_bounds("month", today)
    rows, whole = assess(
        viewer(),
        start=day_start(first),
        end=day_start(last + dt.timedelta(days=1)),
        by="township",
    )
    return {
        "day": today.isoformat(),
        "overview": overview(viewer(), period="month"),
        "assessment": {
            "month": f"{first:%Y-%m}",
            "whole": _row(whole),
            "rows": [_row(row) for row in rows],
        },
    }


def _row(row: Any) -> dict[str, Any]:
    """A row of the assessment as it crosses: each indicator's hits and total (the
    event ids behind them stay here) and its rate, with its name."""
    indicators = [
        {
            "code": indicator.code,
            "label": indicator.label,
            "hits": row.figures[indicator.code].hits,
            "total": row.figures[indicator.code].total,
            "rate": row.figures[indicator.code].rate,
        }
        for indicator in INDICATORS
        if indicator.code in row.figures
    ]
    return {
        "key": row.key,
        "label": row.label,
        "score": row.score,
        "rank": row.rank,
        "indicators": indicators,
    }


# How often the figures and the journal's head go up (the worker's round runs
# far more often; the city needs the day's figures, not each minute's).
FIGURES_EVERY = dt.timedelta(minutes=60)
CHECKPOINT_EVERY = dt.timedelta(minutes=10)


def _due(link: Link, kind: str, every: dt.timedelta, now: dt.datetime) -> bool:
    last = link.messages.filter(type=kind).order_by("-id").values_list("created_at", flat=True)
    sent = last.first()
    return sent is None or now - sent >= every


def figures_send(now: dt.datetime | None = None, *, force: bool = False) -> int:
    """Today's figures to every platform above, hourly (force: now)."""
    now = now or timezone.now()
    data = None
    sent = 0
    for link in Link.objects.filter(side=Side.UPPER, enabled=True):
        if not force and not _due(link, "figures.daily", FIGURES_EVERY, now):
            continue
        data = data or figures_today(timezone.localdate(now))
        message_send(link, "figures.daily", data, ordered=False, now=now)
        sent += 1
    return sent


@handles("figures.daily")
def _figures(link: Link, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    if link.side != Side.LOWER:
        raise DomainError("只有下级平台报送统计数据")
    try:
        day = dt.date.fromisoformat(str(data.get("day")))
    except ValueError:
        raise DomainError("统计日期格式不对") from None
    Figures.objects.update_or_create(
        link=link, day=day, defaults={"data": data, "received_at": now}
    )
    return {"day": day.isoformat()}


def checkpoint_send(now: dt.datetime | None = None, *, force: bool = False) -> int:
    """The journal's head to every platform above, every ten minutes when it moved
    (force: now). Each carries the hash the row of the previous checkpoint has now,
    so a history rewritten below that row shows above as a changed hash."""
    now = now or timezone.now()
    head = JournalHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        return 0
    sent = 0
    for link in Link.objects.filter(side=Side.UPPER, enabled=True):
        last = link.messages.filter(type="journal.checkpoint").order_by("-id").first()
        before = json.loads(last.body)["data"] if last else None
        if before and before["seq"] == head.seq:
            continue
        if not force and not _due(link, "journal.checkpoint", CHECKPOINT_EVERY, now):
            continue
        data = {"seq": head.seq, "hash": head.hash, "at": now.isoformat()}
        if before:
            row = JournalEntry.objects.filter(seq=before["seq"]).values_list("hash", flat=True)
            data["before"] = {"seq": before["seq"], "hash": row.first() or ""}
        message_send(link, "journal.checkpoint", data, ordered=False, now=now)
        sent += 1
    return sent


@handles("journal.checkpoint")
def _checkpoint(link: Link, data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    if link.side != Side.LOWER:
        raise DomainError("只有下级平台报送日志检查点")
    try:
        seq, digest = int(data["seq"]), str(data["hash"])
        at = parse_moment(str(data["at"]))
        before = data.get("before") or {}
        earlier = (int(before["seq"]), str(before["hash"])) if before else None
    except (KeyError, TypeError, ValueError):
        raise DomainError("检查点须有 seq、hash、at") from None
    changed = Checkpoint.objects.filter(link=link, seq=seq).exclude(hash=digest).exists()
    if earlier:
        changed |= (
            Checkpoint.objects.filter(link=link, seq=earlier[0]).exclude(hash=earlier[1]).exists()
        )
    Checkpoint.objects.create(
        link=link, seq=seq, hash=digest, at=at, received_at=now, conflict=changed
    )
    return {"seq": seq, "conflict": changed}


def sweep_round(now: dt.datetime) -> str:
    """The worker's round: figures and the journal's checkpoint, sent up."""
    figures, checkpoints = figures_send(now), checkpoint_send(now)
    if not figures and not checkpoints:
        return ""
    return f"互联互通：报送统计 {figures} 条、日志检查点 {checkpoints} 条"
