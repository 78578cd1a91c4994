"""A month of real events for the command centre's tests: filed and moved on
through the services at set times (time-machine), in two townships."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from pingan.accounts.models import Role
from pingan.conftest import make_user
from pingan.events.models import Event
from pingan.events.services import event_rate, event_report, event_transition
from pingan.events.tests.conftest import (  # noqa: F401
    IN_A1_1,
    IN_B1_1,
    departments,
    handlers,
    report_in,
    reported,
)

CST = ZoneInfo("Asia/Shanghai")


def at(month, day, hour=9, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CST)


def act(event, action, actor, when, **params):
    with time_machine.travel(when, tick=False):
        return event_transition(
            event=Event.objects.get(pk=event.pk), action=action, actor=actor, **params
        )


def report(actor, where, when):
    channel = "grid_worker" if actor else "public"
    with time_machine.travel(when, tick=False):
        return event_report(actor=actor, channel=channel, report=report_in(where=where)).event


@pytest.fixture
def november(personas, departments, tree):  # noqa: F811
    village, cg, worker = (
        personas.village_officer,
        personas.department_handler,
        personas.grid_worker_a,
    )
    dept = {"department_id": departments["cg"].pk}
    quick = report(worker, IN_A1_1, at(11, 2))
    act(quick, "accept", village, at(11, 2, 9, 30))
    act(quick, "dispatch", village, at(11, 2, 10), **dept)
    act(quick, "sign", cg, at(11, 2, 11))
    act(quick, "handle", cg, at(11, 3), reason="已清理")
    act(quick, "verify_pass", worker, at(11, 3, 10))
    with time_machine.travel(at(11, 4), tick=False):
        event_rate(event=Event.objects.get(pk=quick.pk), satisfaction=5)

    township_b = make_user("township_b", Role.TOWNSHIP_CENTRE, tree.township_b)
    late = report(None, IN_B1_1, at(11, 2))
    act(late, "accept", township_b, at(11, 6))  # days after its 4 working hours

    across = report(worker, IN_A1_1, at(11, 27))
    act(across, "accept", village, at(11, 27, 9, 30))
    act(across, "dispatch", village, at(11, 27, 10), **dept)
    act(across, "sign", cg, at(11, 27, 11))
    act(across, "handle", cg, at(11, 27, 15), reason="已处理")
    act(across, "verify_fail", worker, at(11, 30), reason="未处理干净")
    act(across, "handle", cg, at(12, 2), reason="已彻底处理")
    act(across, "verify_pass", worker, at(12, 2, 10))
    return {"quick": quick, "late": late, "across": across, "township_b": township_b}
