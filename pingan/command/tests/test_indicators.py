"""Each indicator's formula on a hand-made set of events with known answers:
on-time and late steps, a rework, a suspended case, a case crossing the month
boundary, a rejected report, an undecided one and a rating of an older case."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.command.indicators import Case, Step, counts, score, tally

CST = ZoneInfo("Asia/Shanghai")
NOVEMBER = (dt.datetime(2026, 11, 1, tzinfo=CST), dt.datetime(2026, 12, 1, tzinfo=CST))
DECEMBER = (dt.datetime(2026, 12, 1, tzinfo=CST), dt.datetime(2027, 1, 1, tzinfo=CST))


def at(month, day, hour=9):
    return dt.datetime(2026, month, day, hour, tzinfo=CST)


def step(action, to_state, when, deadline=None, **data):
    data = {"deadline": deadline.isoformat() if deadline else None, **data}
    return Step(action, to_state, when, actor_id=7, department_id=3, data=data)


def case(event_id, reported, *steps, reporter=1, path="630203/630203102/"):
    timeline = [step("report", "reported", reported, reported + dt.timedelta(hours=4))]
    return Case(event_id, path, reporter, reported, [*timeline, *steps])


def closed_on_time():
    return case(
        1,
        at(11, 3),
        step("accept", "accepted", at(11, 3, 10), at(11, 3, 14)),
        step("dispatch", "dispatched", at(11, 3, 15), at(11, 10), department_id=3),  # late
        step("sign", "handling", at(11, 4), at(11, 10)),
        step("handle", "handled", at(11, 8), at(11, 9, 17)),
        step("verify_pass", "closed", at(11, 9)),
        step("rate", "closed", at(11, 10), satisfaction=5),
    )


def reworked():
    return case(
        2,
        at(11, 5),
        step("accept", "accepted", at(11, 5, 10), at(11, 5, 14)),
        step("dispatch", "dispatched", at(11, 5, 11), at(11, 12), department_id=3),
        step("sign", "handling", at(11, 6), at(11, 12)),
        step("handle", "handled", at(11, 11), at(11, 12, 10)),
        step("verify_fail", "handling", at(11, 12), at(11, 19)),
        step("handle", "handled", at(11, 20), at(11, 21)),  # late
        step("verify_pass", "closed", at(11, 21, 10)),  # late too
        step("rate", "closed", at(11, 22), satisfaction=2),
    )


def suspended():
    return case(
        3,
        at(11, 6),
        step("accept", "accepted", at(11, 6, 10), at(11, 6, 14)),
        step("dispatch", "dispatched", at(11, 6, 11), at(11, 13), department_id=3),
        step("sign", "handling", at(11, 7), at(11, 13)),
        step("request_suspension", "", at(11, 8), at(11, 13)),
        step("approve_request", "suspended", at(11, 9), None),
    )


def across_the_month():
    return case(
        4,
        at(10, 28),
        step("accept", "accepted", at(10, 28, 10), at(10, 28, 14)),
        step("dispatch", "dispatched", at(10, 28, 11), at(11, 4), department_id=3),
        step("sign", "handling", at(10, 29), at(11, 4)),
        step("handle", "handled", at(11, 2), at(11, 3)),
        step("verify_pass", "closed", at(12, 2)),  # after November
    )


def rejected():
    return case(5, at(11, 20), step("reject", "rejected", at(11, 20, 15)))  # late


def undecided():
    return case(6, at(11, 29))


def rated_later():
    return case(
        7,
        at(10, 10),
        step("accept", "accepted", at(10, 10, 10), at(10, 10, 14)),
        step("resolve_on_spot", "handled", at(10, 10, 11), at(10, 11)),
        step("verify_pass", "closed", at(10, 11)),
        step("rate", "closed", at(11, 2), satisfaction=4),
    )


ALL = [closed_on_time, reworked, suspended, across_the_month, rejected, undecided, rated_later]


def figures(period=NOVEMBER, cases=ALL):
    return tally(counts([make() for make in cases], *period))


@pytest.mark.parametrize(
    "indicator, hits, total",
    [
        ("reported", 5, 5),  # 1, 2, 3, 5, 6: 4 and 7 came in October
        ("accept_on_time", 3, 4),  # 5 was rejected late; 4 and 7 decided in October
        ("dispatch_on_time", 2, 3),  # 1 was dispatched late
        ("handle_on_time", 3, 4),  # 2's second handling was late; 4's counts in November
        ("rework", 1, 3),  # three checks, one failed
        ("verify_on_time", 2, 3),  # 2's last check was late
        ("closed", 2, 3),  # due: 1, 2 and 4 (open at the start); 3 is 缓办, left out
        ("close_on_time", 1, 3),  # only 1 closed with its handling on time
        ("satisfied", 2, 3),  # 5 and 4 stars of 1 and 7, 2 stars of 2
        ("valid_report", 3, 4),  # of the decided reports, 5 was rejected
    ],
)
def test_each_indicator_counts_what_its_formula_says(indicator, hits, total):
    figure = figures()[indicator]
    assert (figure.hits, figure.total) == (hits, total)
    assert len(figure.hit_ids) == hits and len(figure.all_ids) == total


def test_the_case_that_crosses_the_month_is_closed_in_december():
    december = figures(DECEMBER)
    assert (december["closed"].hits, december["closed"].total) == (1, 1)
    assert december["closed"].hit_ids == [4]
    assert (december["close_on_time"].hits, december["close_on_time"].total) == (1, 1)


def test_a_suspended_case_leaves_the_closure_rates_until_it_resumes():
    resumed = suspended()
    resumed.steps.append(step("resume", "handling", at(11, 20), at(11, 27)))
    november = tally(counts([resumed], *NOVEMBER))
    assert (november["closed"].hits, november["closed"].total) == (0, 1)
    still = tally(counts([suspended()], *NOVEMBER))
    assert still["closed"].total == 0


def test_the_score_weighs_the_rates_and_counts_rework_as_its_complement():
    found = figures()
    weights = {"handle_on_time": 1, "rework": 1}
    assert score(found, weights) == pytest.approx(100 * (3 / 4 + (1 - 1 / 3)) / 2, abs=0.1)
    assert score(tally([]), weights) is None


def test_an_open_case_enters_the_closure_rates_only_once_it_is_due():
    """A December case accepted on the 1st with ten days to handle: on the 5th it is
    nobody's failure yet; on the 11th, still open, it counts against the rate."""
    due_on_the_10th = case(
        8,
        at(12, 1),
        step("accept", "accepted", at(12, 1, 10), at(12, 1, 14)),
        step("dispatch", "dispatched", at(12, 1, 11), at(12, 10), department_id=3),
    )
    closed_early = case(
        9,
        at(12, 1),
        step("accept", "accepted", at(12, 1, 10), at(12, 10)),
        step("resolve_on_spot", "handled", at(12, 2), at(12, 3)),
        step("verify_pass", "closed", at(12, 2, 15)),
    )
    on_the_5th = tally(counts([due_on_the_10th, closed_early], *DECEMBER, as_of=at(12, 5)))
    assert (on_the_5th["close_on_time"].hits, on_the_5th["close_on_time"].total) == (1, 1)
    on_the_11th = tally(counts([due_on_the_10th, closed_early], *DECEMBER, as_of=at(12, 11)))
    assert (on_the_11th["closed"].hits, on_the_11th["closed"].total) == (1, 2)
    assert on_the_11th["closed"].all_ids == [8, 9] or sorted(on_the_11th["closed"].all_ids) == [
        8,
        9,
    ]
