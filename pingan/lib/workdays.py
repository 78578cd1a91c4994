"""Chinese working time: statutory holidays and swapped working days (调休) from
chinese-calendar, for adding working days and hours to a moment.

Beyond the years the package knows (the State Council publishes each year's
arrangement in the autumn before), weekdays count as working days until the
package is updated; `known_year` tells which years are covered.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar

WORK_START = dt.time(9, 0)
WORK_END = dt.time(17, 0)
HOURS_PER_DAY = 8


@cache
def known_year(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    if known_year(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def next_workday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The same time of day `days` working days later (a start outside working
    time counts from the next working morning)."""
    moment = _clamp(start)
    day = moment.date()
    for _ in range(days):
        day = next_workday(day)
    return moment.replace(year=day.year, month=day.month, day=day.day)


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    moment = _clamp(start)
    remaining = dt.timedelta(hours=hours)
    while remaining > dt.timedelta(0):
        end_of_day = moment.replace(
            hour=WORK_END.hour, minute=WORK_END.minute, second=0, microsecond=0
        )
        available = end_of_day - moment
        if remaining <= available:
            return moment + remaining
        remaining -= available
        moment = _morning(next_workday(moment.date()), moment)
    return moment


def _morning(day: dt.date, like: dt.datetime) -> dt.datetime:
    return like.replace(
        year=day.year,
        month=day.month,
        day=day.day,
        hour=WORK_START.hour,
        minute=WORK_START.minute,
        second=0,
        microsecond=0,
    )


def _clamp(moment: dt.datetime) -> dt.datetime:
    """Move a moment outside working time to the next start of working time."""
    day = moment.date()
    if is_workday(day) and moment.time() < WORK_START:
        return _morning(day, moment)
    if is_workday(day) and moment.time() < WORK_END:
        return moment
    return _morning(next_workday(day), moment)
