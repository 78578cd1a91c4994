"""Three real installations linked through a network that fails: the city 海东市
(630200) and two districts, 平安区 (630203) and a second one known to the city as
乐都区 (630202; its tree is the demo's, its code its own setting). Each runs its
own `pingan serve` and `pingan worker` on its own SQLite. Every message between
them goes through FaultyProxy, which faults 30 % of deliveries (drops before and
after the peer got it, repeats, delays, reorders, 5xx before and after).

1,000 events (PINGAN_FEDERATION_EVENTS) are reported in the districts, escalated
to the city, assigned back down, supervised in part, handled and verified; the
link is down for a while in the middle. At the end both sides of every event show
the same state and the same timeline, none lost, none doubled, and each district's
figures as the city stores them are the district's own."""

from __future__ import annotations

import json
import os
import time

import pytest

from pingan.links.signing import new_secret
from tests.federation import FaultyProxy, link_pair, platform_start, running

EVENTS = int(os.environ.get("PINGAN_FEDERATION_EVENTS", "1000"))
pytestmark = [pytest.mark.live, pytest.mark.timeout(2400)]
FAST = {"PINGAN_LINKS_RETRY_SCALE": "0.005"}  # 5 s → 25 ms, 5 min → 1.5 s …


def steps(here, call: str) -> dict:
    return json.loads(here.run(f"from tests.federation_steps import *; {call}"))


def settle(platforms, seconds: float = 600) -> None:
    """Until nothing is waiting to be sent or held waiting for its predecessor."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [steps(here, "pending()") for here in platforms]
        if all(p["waiting"] == 0 and p["held"] == 0 for p in left):
            assert all(p["dead"] == 0 for p in left), left
            return
        time.sleep(2)
    raise AssertionError(f"still on its way after {seconds} s: {left}")


def until(here, call: str, key: str, wanted: int, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if steps(here, call)[key] >= wanted:
            return
        time.sleep(2)
    raise AssertionError(f"{here.name}: {call} never reached {key} = {wanted}")


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    key = new_secret()
    folder = {name: str(tmp_path_factory.mktemp(name)) for name in ("city", "pa", "ld")}
    options = {"worker_interval": 0.5, "settings": FAST}
    city = platform_start("海东市", "630200", folder["city"], city=True, **options)
    pingan = platform_start("平安区", "630203", folder["pa"], **options)
    ledu = platform_start("乐都区", "630202", folder["ld"], **options)
    with running([city, pingan, ledu]), FaultyProxy(share=0.3) as proxy:
        link_pair(city, pingan, key, via=proxy.url)
        link_pair(city, ledu, key, via=proxy.url)
        yield city, [pingan, ledu], proxy


def test_events_up_and_down_through_a_failing_network_end_the_same(federation):
    city, districts, proxy = federation
    half = EVENTS // 2
    for district in districts:
        assert steps(district, f"district_escalate({half})") == {"escalated": half}
    settle([city, *districts])
    assert steps(city, "city_assign_down()") == {"assigned": EVENTS}
    settle([city, *districts])
    assert steps(city, "city_supervise(10)")["supervised"] == EVENTS // 10
    # The network to the city goes down while the districts work; it catches up.
    proxy.down = True
    for district in districts:
        assert steps(district, "district_finish()") == {"finished": half}
    waiting = sum(steps(d, "pending()")["waiting"] for d in districts)
    assert waiting > 0
    proxy.down = False
    settle([city, *districts])

    seen_above = steps(city, "linked_states()")
    assert len(seen_above) == EVENTS
    for district in districts:
        below = steps(district, "linked_states()")
        assert len(below) == half
        for key, state in below.items():
            above = seen_above[key]
            assert state["state"] == above["state"] == "closed", key
            assert state["supervised"] == above["supervised"], key
            assert state["steps"] == above["steps"], key  # nothing lost, nothing doubled
            assert state["held_here"] and not above["held_here"], key
    tried = sum(n for fault, n in proxy.done.items() if fault != "down")
    faulted = tried - proxy.done["pass"]
    assert faulted > 0.2 * tried and proxy.done["down"] > 0
    print("proxy:", dict(proxy.done))


FIGURES = (
    "from pingan.links.flows import figures_today; import json; "
    "print(json.dumps(figures_today(), default=str))"
)
STORED = (
    "from pingan.links.models import Figures; import json; "
    "print(json.dumps({f.link.region_code: f.data for f in Figures.objects.all()}))"
)


def test_each_districts_figures_are_the_citys_view_of_them(federation):
    city, districts, _ = federation
    for district in districts:
        district.command("link", "report")
    settle([city, *districts])
    stored = json.loads(city.run(STORED))
    for district in districts:
        own = json.loads(district.run(FIGURES))
        assert stored[district.code] == own
        assert own["overview"]["reported"] >= EVENTS // 2
