import datetime as dt
from zoneinfo import ZoneInfo

from pingan.lib import workdays

SH = ZoneInfo("Asia/Shanghai")


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
