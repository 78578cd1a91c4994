"""互联互通 across one link, between two real installations on this machine: the
city 海东市 and the demo district 平安区, each its own `pingan serve` (two
processes) and `pingan worker` with its own SQLite, linked directly on 127.0.0.1
(tests/federation.py starts them as `make federation` does).

A day's backlog of a district, with the district's worker stopped while it is
made (a link down, or a worker not running):
1. the district escalates EVENTS events to the city: one `event.escalated` each,
   with its timeline (report, accept, three escalations);
2. the city assigns every one back down (`event.assigned`);
3. the district dispatches, signs, handles and verifies each: four `event.step`
   messages an event, the day's steps.
For each, the time from starting the sending side's worker until its queue is
empty and the other side has applied everything: messages per second across the
link (each signed, posted over HTTP, verified and applied in the receiver's
transaction), and the catch-up time of the day's steps."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, report

sys.path.insert(0, str(ROOT))
from pingan.links.signing import new_secret  # noqa: E402
from tests.federation import (  # noqa: E402
    link_pair,
    platform_start,
    running,
    worker_start,
    worker_stop,
)

EVENTS = int(os.environ.get("PINGAN_BENCH_LINK_EVENTS", "3000"))


def steps(here, call: str) -> dict:
    return json.loads(here.run(f"from tests.federation_steps import *; {call}"))


def drained(sender, receiver, check: str, wanted: int, limit: float = 3600) -> float:
    """Seconds from starting the sender's worker until it has nothing waiting and
    the receiver's `check` counts `wanted`."""
    started = time.monotonic()
    worker_start(sender, 0.2)
    while time.monotonic() - started < limit:
        pending = steps(sender, "pending()")
        if pending["waiting"] == 0 and steps(receiver, check)["count"] >= wanted:
            elapsed = time.monotonic() - started
            worker_stop(sender)
            return elapsed
        time.sleep(0.5)
    raise RuntimeError(f"{sender.name} did not drain in {limit} s: {pending}")


def timed(here, call: str) -> tuple[dict, float]:
    started = time.monotonic()
    done = steps(here, call)
    return done, time.monotonic() - started


def main() -> None:
    base = Path(tempfile.mkdtemp(prefix="pingan-bench-links-"))
    key = new_secret()
    city = platform_start("海东市", "630200", str(base / "city"), city=True, worker=False)
    district = platform_start("平安区", "630203", str(base / "pa"), worker=False)
    figures: dict = {"events": EVENTS, "database": "sqlite", "server_processes": 2}
    with running([city, district]):
        link_pair(city, district, key)
        done, made = timed(district, f"district_escalate({EVENTS})")
        assert done == {"escalated": EVENTS}, done
        up = drained(district, city, "count_held()", EVENTS)
        done, assigned = timed(city, "city_assign_down()")
        down = drained(city, district, "count_held()", EVENTS)
        done, worked = timed(district, "district_finish()")
        messages = steps(district, "pending()")["waiting"]
        catch_up = drained(district, city, "count_closed()", EVENTS)
    figures |= {
        "escalated_made_s": round(made, 1),
        "escalated_delivered_s": round(up, 1),
        "escalated_per_s": round(EVENTS / up, 1),
        "assigned_made_s": round(assigned, 1),
        "assigned_delivered_s": round(down, 1),
        "assigned_per_s": round(EVENTS / down, 1),
        "steps_made_s": round(worked, 1),
        "day_backlog_messages": messages,
        "day_backlog_catch_up_s": round(catch_up, 1),
        "steps_per_s": round(messages / catch_up, 1),
    }
    print(f"{EVENTS} 件事件，两个真实安装（SQLite，各 2 个服务进程）直连：")
    print(f"  上报上级 {EVENTS} 条：送达并在市级入库 {up:.1f} s，{EVENTS / up:.1f} 条/秒")
    print(f"  交办下级 {EVENTS} 条：送达并在区级入库 {down:.1f} s，{EVENTS / down:.1f} 条/秒")
    print(
        f"  一天积压的处置步骤 {messages} 条：追平 {catch_up:.1f} s，"
        f"{messages / catch_up:.1f} 条/秒"
    )
    report(figures)


if __name__ == "__main__":
    main()
