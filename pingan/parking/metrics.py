"""Parking's figures by the Curb Data Specification (OMF CDS Metrics) definitions,
with the choices CDS leaves open made here and in docs/parking.md:

- a session is a stay with an entry (park_start); it counts in the hour and day
  it began; a stay seen only leaving counts where it ended;
- dwell is exit − entry, in minutes, of stays with both ends;
- occupancy % = the dwell inside the period ÷ (spaces × the period), 0–100, the
  open stays counted up to now; a stay crossing hours is clipped to each;
- turnover = sessions ÷ spaces ÷ days (per space per day, as the issue asks;
  the hourly CDS aggregate is sessions per hour);
- revenue = what was paid on stays that ended in the period; the arrears rate =
  stays that went into arrears ÷ stays charged, of those that ended in it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from pingan.parking.models import Place, Session, SessionState

HOUR = dt.timedelta(hours=1)
CDS_NAMESPACE = uuid.UUID("6f1c2a3e-8d4b-5c6a-9e7f-630203000000")


def place_uuid(place: Place) -> uuid.UUID:
    """CDS names places by UUID: one derived from the place's code, stable."""
    return uuid.uuid5(CDS_NAMESPACE, place.code)


def session_uuid(stay: Session) -> uuid.UUID:
    return uuid.uuid5(CDS_NAMESPACE, f"session-{stay.pk}")


@dataclass
class Stay:
    place_id: int
    start: dt.datetime | None
    end: dt.datetime | None
    state: str
    fee_fen: int
    paid_fen: int
    arrears: bool


@dataclass
class Figures:
    label: str
    spaces: int
    sessions: int = 0
    dwell_minutes: float = 0.0
    dwelled: int = 0  # stays with both ends
    occupied_seconds: float = 0.0
    period_seconds: float = 0.0
    revenue_fen: int = 0
    charged: int = 0
    arrears: int = 0
    by_hour_seconds: list[float] = field(default_factory=lambda: [0.0] * 24)
    hour_spans: list[float] = field(default_factory=lambda: [0.0] * 24)

    @property
    def days(self) -> float:
        return self.period_seconds / 86400 if self.period_seconds else 0.0

    @property
    def turnover(self) -> float:
        return (
            round(self.sessions / self.spaces / self.days, 2) if self.spaces and self.days else 0.0
        )

    @property
    def average_dwell(self) -> float | None:
        return round(self.dwell_minutes / self.dwelled, 1) if self.dwelled else None

    @property
    def occupancy(self) -> float:
        total = self.spaces * self.period_seconds
        return round(100 * self.occupied_seconds / total, 1) if total else 0.0

    @property
    def arrears_rate(self) -> float:
        return round(100 * self.arrears / self.charged, 1) if self.charged else 0.0

    @property
    def by_hour(self) -> list[float]:
        """Occupancy % in each hour of the day, over the period's days."""
        return [
            round(100 * used / (self.spaces * span), 1) if self.spaces and span else 0.0
            for used, span in zip(self.by_hour_seconds, self.hour_spans, strict=True)
        ]

    @property
    def peak_hours(self) -> list[int]:
        hours = self.by_hour
        return sorted((h for h in range(24) if hours[h] > 0), key=lambda h: -hours[h])[:3]


def stays(places: Sequence[Place], start: dt.datetime, end: dt.datetime) -> list[Stay]:
    """Stays that touch [start, end) at these places."""
    touching = Session.objects.filter(place__in=places).filter(
        Q(entered_at__lt=end, left_at__gte=start)
        | Q(entered_at__lt=end, left_at__isnull=True, state=SessionState.OPEN)
        | Q(entered_at__isnull=True, left_at__gte=start, left_at__lt=end)
        | Q(entered_at__gte=start, entered_at__lt=end)
    )
    rows = touching.values_list(
        "place_id", "entered_at", "left_at", "state", "fee_fen", "paid_fen", "arrears"
    )
    return [Stay(*row) for row in rows.iterator(chunk_size=5000)]


def figures(
    groups: dict[str, tuple[str, list[Place]]],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime | None = None,
) -> dict[str, Figures]:
    """Each group's figures (key → label and places) over [start, end)."""
    now = now or timezone.now()
    places = [p for _, members in groups.values() for p in members]
    group_of = {p.pk: key for key, (_, members) in groups.items() for p in members}
    out = {
        key: Figures(label, sum(p.capacity for p in members))
        for key, (label, members) in groups.items()
    }
    until = min(end, max(now, start))
    for figures_ in out.values():
        figures_.period_seconds = (until - start).total_seconds()
        _hour_spans(figures_, start, until)
    for stay in stays(places, start, end):
        _add(out[group_of[stay.place_id]], stay, start, end, until)
    return out


def _hour_spans(figures_: Figures, start: dt.datetime, until: dt.datetime) -> None:
    at = start
    while at < until:
        step = min(_next_hour(at), until)
        figures_.hour_spans[timezone.localtime(at).hour] += (step - at).total_seconds()
        at = step


def _add(
    figures_: Figures, stay: Stay, start: dt.datetime, end: dt.datetime, until: dt.datetime
) -> None:
    begun = stay.start or stay.end
    if begun is not None and start <= begun < end:
        figures_.sessions += 1
    if stay.start is not None and stay.end is not None and start <= stay.start < end:
        figures_.dwell_minutes += (stay.end - stay.start).total_seconds() / 60
        figures_.dwelled += 1
    if (
        stay.end is not None
        and start <= stay.end < end
        and stay.state in (SessionState.CLOSED, SessionState.EXIT_ONLY)
    ):
        figures_.revenue_fen += stay.paid_fen
        if stay.fee_fen:
            figures_.charged += 1
            figures_.arrears += stay.arrears
    if stay.start is None:
        return
    stop = (
        stay.end
        if stay.end is not None
        else (until if stay.state == SessionState.OPEN else stay.start)
    )
    _spread(figures_, max(stay.start, start), min(stop, until))


def _spread(figures_: Figures, begin: dt.datetime, stop: dt.datetime) -> None:
    at = begin
    while at < stop:
        step = min(_next_hour(at), stop)
        seconds = (step - at).total_seconds()
        figures_.occupied_seconds += seconds
        figures_.by_hour_seconds[timezone.localtime(at).hour] += seconds
        at = step


def _next_hour(at: dt.datetime) -> dt.datetime:
    local = timezone.localtime(at)
    return local.replace(minute=0, second=0, microsecond=0) + HOUR


# -- groupings ------------------------------------------------------------------------


def by_place(places: Iterable[Place]) -> dict[str, tuple[str, list[Place]]]:
    return {p.code: (p.name, [p]) for p in places}


def by_road(places: Iterable[Place]) -> dict[str, tuple[str, list[Place]]]:
    groups: dict[str, tuple[str, list[Place]]] = {}
    for place in places:
        key = place.road or place.name
        groups.setdefault(key, (key, []))[1].append(place)
    return groups


def by_township(
    places: Iterable[Place], names: dict[str, str]
) -> dict[str, tuple[str, list[Place]]]:
    """`names`: a township's path → its name."""
    groups: dict[str, tuple[str, list[Place]]] = {}
    for place in places:
        path = "/".join(place.region_path.split("/")[:2]) + "/"
        groups.setdefault(path, (names.get(path, path), []))[1].append(place)
    return groups


# -- CDS aggregates ---------------------------------------------------------------------


def aggregates(
    places: Sequence[Place], start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> list[dict]:
    """The CDS Metrics aggregate rows: each place (a zone) per local hour, with
    total_sessions, turnover (sessions per hour), average_dwell_time (minutes)
    and occupancy_percent (0–100)."""
    now = now or timezone.now()
    capacity = {p.pk: p.capacity for p in places}
    at = timezone.localtime(start).replace(minute=0, second=0, microsecond=0)
    slots = []
    while at < end:
        slots.append(at)
        at += HOUR
    every = stays(places, start, end)
    mine: dict[int, list[Stay]] = defaultdict(list)
    for stay in every:
        mine[stay.place_id].append(stay)
    rows = []
    for place in places:
        for slot in slots:
            hour = Figures("", capacity[place.pk])
            hour.period_seconds = (min(slot + HOUR, max(now, slot)) - slot).total_seconds()
            for stay in mine[place.pk]:
                _add(hour, stay, slot, slot + HOUR, min(slot + HOUR, max(now, slot)))
            for metric, value in (
                ("total_sessions", hour.sessions),
                ("turnover", hour.sessions),
                ("average_dwell_time", hour.average_dwell if hour.average_dwell is not None else 0),
                ("occupancy_percent", hour.occupancy),
            ):
                rows.append(
                    {
                        "curb_place_type": "zone",
                        "curb_place_id": str(place_uuid(place)),
                        "metric_type": metric,
                        "date": f"{slot:%Y-%m-%d}",
                        "hour": f"{slot:%H}",
                        "value": value,
                    }
                )
    return rows
