"""What a stay costs, in integer fen, by a tariff's rates. Pure: the caller says
which version applies (the one valid at entry) and what the plate has already
paid on each day under the same tariff, so that the daily cap holds across
repeated entries.

The walk: charging starts at entry (or after the free minutes, where the tariff
deducts them); it goes in units, each charged in full once started: the first
period, then increments; at night the night increment (or nothing, a free
window). A unit never crosses a boundary between day and night, where the rate
changes; it may cross midnight. Each unit counts toward the local day it starts
in, and a day's units stop costing once the day reaches the cap."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from pingan.lib.errors import DomainError


class TariffError(DomainError):
    pass


@dataclass(frozen=True)
class Rates:
    free_minutes: int = 0
    free_deducted: bool = False  # True: the first free minutes are never charged
    first_minutes: int = 0  # 0: no first period, increments from the start
    first_fen: int = 0
    step_minutes: int = 60
    step_fen: int = 0
    night_from: dt.time | None = None  # the night window, e.g. 22:00–07:00
    night_until: dt.time | None = None
    night_step_minutes: int = 60
    night_step_fen: int = 0  # 0: the night is free
    cap_fen: int = 0  # per local day; 0: no cap

    def check(self) -> None:
        if (
            min(
                self.free_minutes,
                self.first_minutes,
                self.first_fen,
                self.step_fen,
                self.night_step_fen,
                self.cap_fen,
            )
            < 0
        ):
            raise TariffError("收费标准中的时长和金额不能为负数")
        if self.step_minutes <= 0 or self.night_step_minutes <= 0:
            raise TariffError("计费单位时长必须大于0分钟")
        if (self.night_from is None) != (self.night_until is None) or (
            self.night_from is not None and self.night_from == self.night_until
        ):
            raise TariffError("夜间时段须同时填写开始和结束时间，且两者不同")


@dataclass(frozen=True)
class Charge:
    fen: int
    by_day: dict[dt.date, int] = field(default_factory=dict)


FREE = Charge(0)
_MINUTE = dt.timedelta(minutes=1)


def charge(
    rates: Rates, start: dt.datetime, end: dt.datetime, before: Mapping[dt.date, int] | None = None
) -> Charge:
    """The cost of a stay from start to end; `before` is what the plate was
    already charged each local day under this tariff (for the cap)."""
    if end <= start or end - start <= rates.free_minutes * _MINUTE:
        return FREE
    spent: defaultdict[dt.date, int] = defaultdict(int, before or {})
    charged: defaultdict[dt.date, int] = defaultdict(int)
    at = timezone.localtime(start)
    end = timezone.localtime(end)
    if rates.free_deducted:
        at += rates.free_minutes * _MINUTE
    first = rates.first_minutes > 0
    while at < end:
        day = at.date()
        if rates.cap_fen and spent[day] >= rates.cap_fen:
            at = _next_midnight(at)
            continue
        night = _in_night(rates, at)
        if night and rates.night_step_fen == 0:
            at = _boundary_after(rates, at)
            continue
        if night:
            minutes, fen = rates.night_step_minutes, rates.night_step_fen
        elif first:
            minutes, fen, first = rates.first_minutes, rates.first_fen, False
        else:
            minutes, fen = rates.step_minutes, rates.step_fen
        if rates.cap_fen:
            fen = min(fen, rates.cap_fen - spent[day])
        spent[day] += fen
        charged[day] += fen
        at = min(at + minutes * _MINUTE, _boundary_after(rates, at))
    by_day = {day: fen for day, fen in charged.items() if fen}
    return Charge(sum(by_day.values()), by_day)


def _in_night(rates: Rates, at: dt.datetime) -> bool:
    if rates.night_from is None or rates.night_until is None:
        return False
    now = at.time()
    if rates.night_from < rates.night_until:
        return rates.night_from <= now < rates.night_until
    return now >= rates.night_from or now < rates.night_until


def _boundary_after(rates: Rates, at: dt.datetime) -> dt.datetime:
    """The next moment the rate changes (night begins or ends); far off without a night."""
    if rates.night_from is None or rates.night_until is None:
        return at + dt.timedelta(days=3650)
    candidates = []
    for days in (0, 1):
        day = at.date() + dt.timedelta(days=days)
        for moment in (rates.night_from, rates.night_until):
            instant = timezone.make_aware(dt.datetime.combine(day, moment), at.tzinfo)
            if instant > at:
                candidates.append(instant)
    return min(candidates)


def _next_midnight(at: dt.datetime) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(at.date() + dt.timedelta(days=1), dt.time.min), at.tzinfo
    )
