"""Chinese working time: statutory holidays and swapped working days (调休) from
chinese-calendar, for adding working days and hours to a moment.

The State Council publishes each year's arrangement in the autumn before, and the
package learns it only with a new release. So, in order:
1. a day the district entered (`events.WorkCalendarDay`, from the State Council's
   notice) is what it says;
2. a year the package knows follows the package;
3. any other year: weekdays, less the statutory holidays of 《全国年节及纪念日放假办法》
   (as amended in 2024): 元旦, 春节 (除夕 to 正月初三), 清明, 劳动节 (1–2 May),
   端午, 中秋 and 国庆节 (1–3 October). The longer breaks and their 调休 come only
   with the notice.
`known_year` tells which years the package covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache

import chinese_calendar

FIXED_HOLIDAYS = [(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)]
LUNAR_HOLIDAYS = [(5, 5), (8, 15)]  # 端午, 中秋 (month, day of the lunar calendar)

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


def _nothing_arranged() -> dict[dt.date, bool]:
    return {}


# The days the district entered, day → working or not; set by the events app.
arranged: Callable[[], dict[dt.date, bool]] = _nothing_arranged


def use_arrangement(provider: Callable[[], dict[dt.date, bool]]) -> None:
    global arranged
    arranged = provider


def is_workday(day: dt.date) -> bool:
    entered = arranged().get(day)
    if entered is not None:
        return entered
    if known_year(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


@cache
def statutory_holidays(year: int) -> frozenset[dt.date]:
    """The days the law gives off in `year`, without the State Council's bridging."""
    from lunar_python import Lunar

    def solar(month: int, day: int) -> dt.date:
        found = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(found.getYear(), found.getMonth(), found.getDay())

    new_year = solar(1, 1)  # 正月初一
    days = {dt.date(year, month, day) for month, day in FIXED_HOLIDAYS}
    days |= {new_year + dt.timedelta(days=n) for n in range(-1, 3)}  # 除夕 … 初三
    days |= {solar(month, day) for month, day in LUNAR_HOLIDAYS}
    april = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30))
    days |= {day for day, name in april if name == "清明"}
    return frozenset(days)


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
