"""Every boundary of the fee walk, on the issue's two tariffs."""

import datetime as dt

import pytest
from django.utils import timezone

from pingan.parking.tariffs import Rates, TariffError, charge

# 30 min free, then ¥3 for the first hour and ¥2 an hour, at most ¥20 a day.
HOURLY = Rates(
    free_minutes=30, first_minutes=60, first_fen=300, step_minutes=60, step_fen=200, cap_fen=2000
)
# ¥1 per 30 min, free 22:00–07:00.
HALF_HOURLY = Rates(step_minutes=30, step_fen=100, night_from=dt.time(22), night_until=dt.time(7))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 12, day, hour, minute))


def stay(rates, minutes, start=None, before=None):
    start = start or at(1, 9)
    return charge(rates, start, start + dt.timedelta(minutes=minutes), before)


@pytest.mark.parametrize(
    ("minutes", "fen"),
    [(0, 0), (29, 0), (30, 0), (31, 300), (60, 300), (61, 500), (90, 500), (120, 500), (121, 700)],
)
def test_the_free_minutes_and_the_first_hour(minutes, fen):
    assert stay(HOURLY, minutes).fen == fen


def test_the_daily_cap():
    assert stay(HOURLY, 9 * 60).fen == 300 + 8 * 200 == 1900
    assert stay(HOURLY, 9 * 60 + 1).fen == 2000  # 2100 capped
    assert stay(HOURLY, 13 * 60).fen == 2000


def test_across_midnight_each_day_has_its_cap():
    result = charge(HOURLY, at(1, 20), at(2, 10))
    assert result.by_day == {dt.date(2026, 12, 1): 300 + 3 * 200, dt.date(2026, 12, 2): 2000}
    assert result.fen == 2900


def test_a_unit_begun_before_midnight_counts_for_its_day_and_is_not_cut():
    # 22:30–23:30 the first hour, 23:30–00:30 an increment begun on the 1st
    result = charge(HOURLY, at(1, 22, 30), at(2, 0, 30))
    assert result.by_day == {dt.date(2026, 12, 1): 500}
    result = charge(HOURLY, at(1, 22), at(2, 0, 30))
    assert result.by_day == {dt.date(2026, 12, 1): 500, dt.date(2026, 12, 2): 200}


def test_the_cap_holds_across_repeated_entries():
    today = dt.date(2026, 12, 1)
    assert stay(HOURLY, 120, before={today: 1800}).fen == 200
    assert stay(HOURLY, 120, before={today: 2000}).fen == 0
    assert stay(HOURLY, 120, before={dt.date(2026, 11, 30): 2000}).fen == 500


def test_free_minutes_deducted_start_the_charge_after_them():
    deducted = Rates(**{**HOURLY.__dict__, "free_deducted": True})
    assert stay(deducted, 30).fen == 0
    assert stay(deducted, 31).fen == 300
    assert stay(deducted, 90).fen == 300
    assert stay(deducted, 91).fen == 500


@pytest.mark.parametrize(
    ("start", "end", "fen"),
    [
        (at(1, 9), at(1, 9, 30), 100),
        (at(1, 9), at(1, 9, 31), 200),
        (at(1, 21), at(2, 8), 400),  # 21:00–22:00 and 07:00–08:00
        (at(1, 21, 50), at(1, 22, 10), 100),  # a unit begun by day ends when the night begins
        (at(1, 23), at(2, 6, 59), 0),
        (
            at(1, 6, 50),
            at(2, 7, 10),
            30 * 100 + 100,
        ),  # free to 07:00, a day, free night, 07:00–07:10
    ],
)
def test_a_free_night_window(start, end, fen):
    assert charge(HALF_HOURLY, start, end).fen == fen


def test_a_priced_night_window():
    nights = Rates(
        step_minutes=60,
        step_fen=200,
        night_from=dt.time(20),
        night_until=dt.time(8),
        night_step_minutes=120,
        night_step_fen=100,
    )
    assert charge(nights, at(1, 19), at(1, 23)).fen == 200 + 2 * 100
    assert charge(nights, at(1, 7), at(1, 9)).fen == 100 + 200


def test_the_first_period_waits_for_the_day_when_the_stay_begins_at_night():
    rates = Rates(
        first_minutes=60,
        first_fen=500,
        step_minutes=60,
        step_fen=100,
        night_from=dt.time(22),
        night_until=dt.time(7),
    )
    assert charge(rates, at(1, 6), at(1, 8, 30)).fen == 500 + 100


def test_rates_that_cannot_be_walked_are_refused():
    with pytest.raises(TariffError):
        Rates(step_minutes=0).check()
    with pytest.raises(TariffError):
        Rates(night_from=dt.time(22)).check()
    with pytest.raises(TariffError):
        Rates(step_fen=-1).check()
