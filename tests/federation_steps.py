"""What the people of each installation do in tests/test_federation.py, run inside
that installation (`Platform.run`) through the same services its pages call: the
district's centres report and escalate, the city assigns down and supervises, the
district's department handles and its grid worker verifies. Each prints one line
of JSON."""

from __future__ import annotations

import json

from django.db.models import Q

from pingan.accounts.models import User
from pingan.events.intake import event_report
from pingan.events.models import Category, Event, Level, State
from pingan.events.services import Report
from pingan.events.transitions import event_transition
from pingan.links.models import LinkedEvent, Message, Received
from pingan.links.outbox import own_code


def _act(event: Event, action: str, username: str, **params) -> Event:
    return event_transition(
        event=Event.objects.get(pk=event.pk),
        action=action,
        actor=User.objects.get(username=username),
        reason="依规办理",
        **params,
    )


def district_escalate(count: int) -> None:
    """`count` reports by the demo grid worker, each accepted by the village and
    escalated by the village, the township and the district to the city."""
    worker = User.objects.get(username="wangge")
    lng, lat = worker.region.inner_point()
    category = Category.objects.get(code="CG01")
    done = 0
    for n in range(count):
        report = Report(category=category, lng=lng, lat=lat, description=f"联调事件{n}")
        event = event_report(actor=worker, channel="grid_worker", report=report).event
        event = _act(event, "accept", "cunju")
        for username in ("cunju", "xiangzhen", "zhihui"):
            event = _act(event, "escalate", username)
        done += event.held_by != ""
    print(json.dumps({"escalated": done}))


def city_assign_down(supervise_every: int = 0) -> None:
    """Every case held here, assigned down to its district."""
    held = Event.objects.filter(level=Level.CITY, held_by="").exclude(
        state__in=[State.CLOSED, State.ARCHIVED]
    )
    assigned = 0
    for event in held:
        _act(event, "assign_down", "shizhihui")
        assigned += 1
    print(json.dumps({"assigned": assigned}))


def city_supervise(every: int) -> None:
    """督办 on every `every`-th case a district holds."""
    supervised = 0
    held = Event.objects.exclude(held_by="").filter(supervised=False).order_by("pk")
    for n, event in enumerate(held):
        if n % every == 0 and event.state not in (State.CLOSED, State.ARCHIVED):
            _act(event, "supervise", "shizhihui", days=3)
            supervised += 1
    print(json.dumps({"supervised": supervised}))


def district_finish() -> None:
    """Each case the city handed back: dispatched to 城管, signed, handled, verified."""
    department = User.objects.get(username="chengguan").department_id
    mine = LinkedEvent.objects.filter(origin=own_code()).values_list("event_id", flat=True)
    ready = Event.objects.filter(pk__in=list(mine), held_by="", state=State.ACCEPTED)
    finished = 0
    for event in ready:
        event = _act(event, "dispatch", "zhihui", department_id=department)
        event = _act(event, "sign", "chengguan")
        event = _act(event, "handle", "chengguan")
        _act(event, "verify_pass", "wangge")
        finished += 1
    print(json.dumps({"finished": finished}))


def linked_states() -> None:
    """Every linked event by its key: state, level, supervised and its timeline."""
    found = {}
    for linked in LinkedEvent.objects.select_related("event"):
        event = linked.event
        actions = list(event.steps.order_by("at", "id").values_list("action", flat=True))
        found[f"{linked.origin}/{linked.origin_id}"] = {
            "state": event.state,
            "supervised": event.supervised,
            "steps": actions,
            "held_here": event.held_by == "",
        }
    print(json.dumps(found))


def pending() -> None:
    """What is still on its way: messages not yet delivered, received ones held."""
    waiting = Message.objects.filter(state=Message.State.WAITING).count()
    dead = Message.objects.filter(state=Message.State.DEAD).count()
    held = Received.objects.filter(state=Received.State.HELD).count()
    unheld = Event.objects.filter(~Q(held_by="")).count()
    print(json.dumps({"waiting": waiting, "dead": dead, "held": held, "elsewhere": unheld}))


def _linked() -> Q:
    return Q(pk__in=LinkedEvent.objects.values("event_id"))


def count_held() -> None:
    """Linked events this side holds now."""
    print(json.dumps({"count": Event.objects.filter(_linked(), held_by="").count()}))


def count_closed() -> None:
    """Linked events closed (as this side sees them)."""
    print(json.dumps({"count": Event.objects.filter(_linked(), state=State.CLOSED).count()}))
