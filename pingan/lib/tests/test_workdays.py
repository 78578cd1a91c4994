import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from pingan.lib import workdays

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def nothing_entered(monkeypatch):
    """The package and the rules alone, without the district's entered days."""
    monkeypatch.setattr(workdays, "arranged", workdays._nothing_arranged)


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_national_day_week_is_skipped():
    # 2026-09-30 is a Wednesday; 1–7 October are holidays; 2026-10-10 (Saturday) is a
    # swapped working day.
    assert workdays.add_working_days(at(2026, 9, 30, 10), 1) == at(2026, 10, 8, 10)


def test_a_swapped_saturday_counts_as_a_working_day():
    assert workdays.is_workday(dt.date(2026, 10, 10))  # Saturday, worked for National Day
    # Friday 9 October + 1 working day = Saturday 10 October.
    assert workdays.add_working_days(at(2026, 10, 9, 10), 1) == at(2026, 10, 10, 10)


def test_working_hours_roll_over_the_weekend():
    # Friday 2026-11-27 16:00 + 3 working hours = Monday 11:00.
    assert workdays.add_working_hours(at(2026, 11, 27, 16), 3) == at(2026, 11, 30, 11)


def test_a_report_at_night_starts_counting_next_morning():
    assert workdays.add_working_hours(at(2026, 11, 25, 22), 2) == at(2026, 11, 26, 11)


def test_years_without_data_fall_back_to_weekdays():
    assert not workdays.known_year(2099)
    assert workdays.is_workday(dt.date(2099, 1, 5))  # a Monday
    assert not workdays.is_workday(dt.date(2099, 1, 3))  # a Saturday


def test_years_without_data_still_keep_the_statutory_holidays():
    assert not workdays.is_workday(dt.date(2099, 1, 1))  # 元旦, a Thursday
    assert not workdays.is_workday(dt.date(2099, 5, 1))  # 劳动节, a Friday
    assert not workdays.is_workday(dt.date(2099, 10, 2))  # 国庆节, a Friday
    # Wednesday 2098-12-31 + 1 working day skips 元旦 to Friday.
    assert workdays.add_working_days(at(2098, 12, 31, 10), 1) == at(2099, 1, 2, 10)


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_statutory_holidays_are_holidays_in_the_state_councils_arrangement(year):
    """The rule, checked against years the package knows: every day it gives off
    is off in the official arrangement (which adds bridging days around them)."""
    days = workdays.statutory_holidays(year)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 days
    assert not [day for day in days if chinese_calendar.is_workday(day)]


def test_spring_festival_2027_is_known_before_the_notice():
    assert not workdays.known_year(2027)
    for day in (5, 6, 7, 8):  # 除夕 2027-02-05 to 正月初三
        assert not workdays.is_workday(dt.date(2027, 2, day))
    assert workdays.is_workday(dt.date(2027, 2, 9))  # a Tuesday, back at work


def test_an_entered_arrangement_comes_before_the_package_and_the_rules():
    entered = {dt.date(2026, 10, 10): False, dt.date(2099, 1, 3): True}
    workdays.use_arrangement(lambda: entered)  # undone by the fixture's monkeypatch
    assert not workdays.is_workday(dt.date(2026, 10, 10))  # the package says worked
    assert workdays.is_workday(dt.date(2099, 1, 3))  # a Saturday worked (调休)
