"""What the cameras saw, made into stays. A passage is recorded by the camera's
time, so one cached while the camera was offline lands where it happened; it is
paired with its neighbours in time (the passages of the same plate at the same
place just before and after it), and only the stays those three touch change.
Each stay is charged when it has ended; the place's live occupancy moves in the
same transaction, under a lock on the place."""

from __future__ import annotations

import bisect
import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from pingan.bulk import bulk_write
from pingan.lib.errors import DomainError
from pingan.parking import plates, tariffs
from pingan.parking.models import (
    CameraRole,
    Direction,
    Exemption,
    Passage,
    Permit,
    Place,
    PlaceKind,
    PlateCamera,
    Review,
    Session,
    SessionState,
    TariffVersion,
)
from pingan.things.models import PartClass, PartSource
from pingan.things.services import part_create


class ParkingError(DomainError):
    pass


@dataclass(frozen=True)
class Sighting:
    """One read as any camera reports it, whatever its vendor's format."""

    place: Place
    camera: PlateCamera | None
    plate: str
    direction: str
    at: dt.datetime
    colour: int | None = None
    confidence: int = 100
    offline: bool = False
    source_id: str = ""
    space: str = ""
    # Read by the platform from the camera's picture, not by the camera: a person
    # confirms it whatever the model's confidence (docs/parking.md: of drawn
    # plates it read wrongly, most it was sure of).
    from_picture: bool = False


@dataclass(frozen=True)
class Outcome:
    passage: Passage
    session: Session | None
    duplicate: bool
    open_gate: bool
    say: str  # what the gate's display shows


TICKET_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def passage_record(sighting: Sighting, now: dt.datetime | None = None) -> Outcome:
    """Record one read and answer the gate (passages_record with one)."""
    return passages_record([sighting], now)[0]


def passages_record(sightings: list[Sighting], now: dt.datetime | None = None) -> list[Outcome]:
    """Record reads and answer each, in order. The reads of one place are stored in
    one transaction under the place's lock: their plates' neighbours in time read
    at once, the passages inserted together, the stays they touch paired in memory
    and written together, the occupancy moved once. A read the camera already sent
    (same camera and record id) is answered as the first time and stores nothing."""
    now = now or timezone.now()
    outcomes: dict[int, Outcome] = {}
    by_place: dict[int, list[int]] = defaultdict(list)
    for index, sighting in enumerate(sightings):
        by_place[sighting.place.pk].append(index)
    for place_id in sorted(by_place):  # one order of locks for every request
        group = [(i, sightings[i]) for i in by_place[place_id]]
        try:
            outcomes |= _record_place(place_id, group, now, resent=False)
        except IntegrityError:
            # A record the camera sent before (same camera and record id): the
            # unique constraint said so; again, looking for what was sent first.
            outcomes |= _record_place(place_id, group, now, resent=True)
    return [outcomes[i] for i in range(len(sightings))]


def _record_place(
    place_id: int, group: list[tuple[int, Sighting]], now: dt.datetime, *, resent: bool
) -> dict[int, Outcome]:
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=place_id)
        read = {i: plates.read(s.plate, lenient=settings.PARKING_LENIENT_PLATES) for i, s in group}
        sent_before = _sent_before([s for _, s in group]) if resent else {}
        timeline = Timeline(
            place, {p.text for p in read.values() if not p.unplated}, min(s.at for _, s in group)
        )
        made: list[
            tuple[int, Passage, Passage | None]
        ] = []  # index, passage, the first report of it
        answered: dict[int, Outcome] = {}
        taken = 0  # entries let in by this batch so far
        for index, sighting in group:
            key = (sighting.camera.pk if sighting.camera else None, sighting.source_id)
            if sighting.source_id and key in sent_before:
                first = sent_before[key]
                answered[index] = _answer(
                    first,
                    timeline.stay_of(first),
                    duplicate=True,
                    offline=sighting.offline,
                    now=now,
                )
                continue
            plate = read[index]
            same = (
                None
                if plate.unplated
                else _same_passage(place, sighting, *timeline.around(plate.text, sighting.at))
            )
            passage = _passage(place, sighting, plate, same, now)
            if sighting.source_id:
                sent_before[key] = passage
            if same is None and _at_entry_gate(sighting):
                passage.refused = _refusal(place, sighting, plate, taken)
                taken += not passage.refused
            if same is None and not plate.unplated and not passage.refused:
                timeline.add(passage)
            made.append((index, passage, same))
        # The first reports first: a repeat within the batch points at one of them.
        Passage.objects.bulk_create([p for _, p, same in made if same is None])
        for _, passage, same in made:
            if same is not None:
                passage.duplicate_of = same
        Passage.objects.bulk_create([p for _, p, same in made if same is not None])
        timeline.save()
        for index, passage, same in made:
            if passage.refused:
                answered[index] = Outcome(passage, None, False, False, passage.refused)
                continue
            if same is not None:
                session = timeline.stay_of(same)
            elif not passage.plate:
                session = _unplated(place, passage, now)
            else:
                session = timeline.stay_of(passage)
            answered[index] = _answer(
                passage, session, duplicate=same is not None, offline=passage.offline, now=now
            )
    return answered


def _at_entry_gate(sighting: Sighting) -> bool:
    """A live read at a barrier that lets cars in (a re-sent record is history)."""
    camera = sighting.camera
    return camera is not None and camera.role == CameraRole.ENTRY and not sighting.offline


def _refusal(place: Place, sighting: Sighting, plate: plates.Plate, taken: int) -> str:
    """Why the entry barrier stays closed ("" when it opens): outside the opening
    hours, or the lot full; a pass, a fixed space or the whitelist goes in. A car
    kept out did not come in: its passage is stored, refused, and never paired."""
    if _exemption(plate.text, place, sighting.at):
        return ""
    shown = plate.text or "无牌车"
    if not is_open(place, sighting.at):
        return f"{shown} 不在开放时间"
    if place.kind == PlaceKind.LOT and place.free - taken <= 0:
        return f"{shown} 车位已满"
    return ""


def _sent_before(sightings: list[Sighting]) -> dict[tuple[int | None, str], Passage]:
    ids = {s.source_id for s in sightings if s.source_id and s.camera is not None}
    if not ids:
        return {}
    cameras = {s.camera.pk for s in sightings if s.camera is not None}
    found = Passage.objects.filter(camera__in=cameras, source_id__in=ids).select_related(
        "place", "camera"
    )
    return {(p.camera_id, p.source_id): p for p in found}


def _passage(
    place: Place, sighting: Sighting, plate: plates.Plate, same: Passage | None, now: dt.datetime
) -> Passage:
    return Passage(
        place=place,
        camera=sighting.camera,
        source_id=sighting.source_id[:64],
        plate=plate.text,
        plate_raw=plate.raw[:64],
        kind=plate.kind,
        colour=plates.colour_of(sighting.colour, plate),
        valid=plate.valid,
        confidence=max(0, min(int(sighting.confidence), 100)),
        direction=sighting.direction,
        space=sighting.space[:20],
        at=sighting.at,
        received_at=now,
        offline=sighting.offline,
        duplicate_of=same,
        review=_review(plate, sighting) if same is None else Review.NONE,
    )


def _same_passage(
    place: Place, sighting: Sighting, before: Passage | None, after: Passage | None
) -> Passage | None:
    """A second report of one passage: the same plate and direction at the place
    within the dedupe window, with no passage the other way between them (two
    cameras at one gate, a camera's retry with a new id): one of the neighbours
    in time, then. At a lot's exit the window is the payment grace: a car held at
    the barrier while its driver pays is read again, and is still one car leaving."""
    window = dt.timedelta(seconds=settings.PARKING_DEDUPE_SECONDS)
    if place.kind == PlaceKind.LOT and sighting.direction == Direction.OUT:
        window = max(window, dt.timedelta(minutes=settings.PARKING_PAY_GRACE_MINUTES))
    for near in (before, after):
        if (
            near is not None
            and near.direction == sighting.direction
            and abs(near.at - sighting.at) <= window
        ):
            return near
    return None


def _review(plate: plates.Plate, sighting: Sighting) -> str:
    if plate.unplated:
        return Review.NONE
    if (
        not plate.valid
        or sighting.from_picture
        or sighting.confidence < settings.PARKING_CONFIDENCE
    ):
        return Review.NEEDED
    return Review.NONE


def _session_of(passage: Passage) -> Session | None:
    return Session.objects.filter(Q(entry=passage) | Q(exit=passage)).first()


# -- pairing ---------------------------------------------------------------------

LATER = 2**62  # passages not yet stored sort after every stored one of the same moment
LATEST = 20  # a single read's plate: its last passages read at once


class Timeline:
    """Some plates' passages at one place from a moment on (and the last one of
    each before it), with the stays they are in: where new passages are paired,
    in memory, and then written at once.

    Pairing a passage p with its neighbours a (before) and b (after): an entry
    pairs with the passage after it if that is an exit, an exit with the one
    before it if that is an entry. Only the stays of a's entry and b's exit
    change; they are kept (with their payments and tickets) and at most one stay
    is new: a's entry stays a's, b's exit stays b's, each with its new partner."""

    def __init__(self, place: Place, plates_: set[str], since: dt.datetime) -> None:
        self.place = place
        self.lines: dict[str, list[Passage]] = {plate: [] for plate in plates_}
        self.stays: dict[int, Session] = {}  # id() of a passage → its stay
        self.dirty: dict[int, Session] = {}  # id() of a stay → the stay
        self.was_open = 0
        self.added = 0
        if plates_:
            self._load(plates_, since)

    def _load(self, plates_: set[str], since: dt.datetime) -> None:
        mine = Passage.objects.filter(
            place=self.place, plate__in=plates_, duplicate_of=None, refused=""
        )
        loaded = self._latest(mine, plates_, since)
        if loaded is None:
            last_before = mine.filter(at__lt=since).annotate(
                rank=Window(
                    RowNumber(), partition_by=F("plate"), order_by=[F("at").desc(), F("pk").desc()]
                )
            )
            loaded = list(mine.filter(at__gte=since)) + list(last_before.filter(rank=1))
        by_pk = {p.pk: p for p in loaded}
        for passage in sorted(loaded, key=self._key):
            self.lines[passage.plate].append(passage)
        stays = Session.objects.filter(
            Q(entry__in=list(by_pk)) | Q(exit__in=list(by_pk))
        ).select_for_update()
        for stay in stays:
            stay.entry_p = by_pk.get(stay.entry_id) if stay.entry_id else None
            stay.exit_p = by_pk.get(stay.exit_id) if stay.exit_id else None
            stay.first_state = stay.state
            for end in (stay.entry_p, stay.exit_p):
                if end is not None:
                    self.stays[id(end)] = stay

    @staticmethod
    def _latest(
        mine: QuerySet[Passage], plates_: set[str], since: dt.datetime
    ) -> list[Passage] | None:
        """One plate (a single read): its latest passages in one query, enough when
        they reach back past `since`; None when there are more (a backlog)."""
        if len(plates_) != 1:
            return None
        latest = list(mine.order_by("-at", "-pk")[:LATEST])
        if len(latest) == LATEST and latest[-1].at >= since:
            return None
        recent = [p for p in latest if p.at >= since]
        return recent + [p for p in latest if p.at < since][:1]

    @staticmethod
    def _key(passage: Passage) -> tuple[dt.datetime, int]:
        return passage.at, passage.pk if passage.pk is not None else LATER + getattr(
            passage, "order", 0
        )

    def around(self, plate: str, at: dt.datetime) -> tuple[Passage | None, Passage | None]:
        """The neighbours a passage at this moment would have (after any stored or
        added passage of the same moment: it comes last)."""
        line = self.lines.get(plate, [])
        where = bisect.bisect_right([self._key(p) for p in line], (at, LATER * 2))
        return (line[where - 1] if where else None), (line[where] if where < len(line) else None)

    def stay_of(self, passage: Passage) -> Session | None:
        stay = self.stays.get(id(passage))
        return stay if stay is not None else _session_of(passage)

    def add(self, p: Passage) -> None:
        self.added += 1
        p.order = self.added
        a, b = self.around(p.plate, p.at)
        line = self.lines.setdefault(p.plate, [])
        line.insert(bisect.bisect_right([self._key(x) for x in line], self._key(p)), p)
        pairs: list[
            tuple[Passage | None, Passage | None, bool]
        ] = []  # entry, exit, another entry follows
        if _is_in(a):
            pairs.append((a, p if _is_out(p) else None, _is_in(p)))
        if _is_in(p):
            pairs.append((p, b if _is_out(b) else None, _is_in(b)))
        elif not _is_in(a):
            pairs.append((None, p, False))
        if _is_out(b) and not _is_in(p):
            pairs.append((None, b, False))
        old = [
            s for s in (self._stay_with(a, "entry"), self._stay_with(b, "exit")) if s is not None
        ]
        for entry, exit_, followed in pairs:
            stay = self._reuse(old, entry, exit_) or self._new()
            stay.entry_p, stay.exit_p = entry, exit_
            stay.plate = p.plate
            stay.entered_at = entry.at if entry else None
            stay.left_at = exit_.at if exit_ else None
            stay.state = _state(entry, exit_, followed)
            for passage in (entry, exit_):
                if passage is not None:
                    self.stays[id(passage)] = stay
            self.dirty[id(stay)] = stay

    def _stay_with(self, passage: Passage | None, side: str) -> Session | None:
        if passage is None or passage.direction != (
            Direction.IN if side == "entry" else Direction.OUT
        ):
            return None
        stay = self.stays.get(id(passage))
        return stay if stay is not None and getattr(stay, f"{side}_p") is passage else None

    @staticmethod
    def _reuse(old: list[Session], entry: Passage | None, exit_: Passage | None) -> Session | None:
        for stay in old:
            if (entry is not None and stay.entry_p is entry) or (
                exit_ is not None and stay.exit_p is exit_
            ):
                old.remove(stay)
                return stay
        return None

    def _new(self) -> Session:
        stay = Session(place=self.place, region_path=self.place.region_path, ticket=new_ticket())
        stay.first_state = ""
        return stay

    def readd(self, passage: Passage) -> None:
        """Pair a stored passage again, as if just seen (after a correction)."""
        line = self.lines.get(passage.plate, [])
        if passage in line:
            line.remove(passage)
        self.stays.pop(id(passage), None)
        self.add(passage)

    def save(self) -> None:
        """The stays changed, written (after the new passages are stored): their
        old ends released first, so no passage is briefly in two stays."""
        stays = list(self.dirty.values())
        stored = [s for s in stays if s.pk is not None]
        Session.objects.filter(pk__in=[s.pk for s in stored]).update(entry=None, exit=None)
        closed = [s for s in stays if s.state == SessionState.CLOSED and s.entered_at is not None]
        earlier = None
        if closed:
            first = min(s.entered_at for s in closed if s.entered_at is not None)
            earlier = recent_stays({s.plate for s in closed}, self.place.tariff_id, first)
        # In the order they began, each stay's charge counted into `earlier`, so the
        # daily cap holds between stays of one batch (a camera's offline cache).
        for stay in sorted(stays, key=_began):
            stay.entry, stay.exit = stay.entry_p, stay.exit_p
            _charge(stay, self.place, earlier)
            if earlier is not None and stay.entered_at is not None:
                _remember(earlier, stay)
        fields = [
            "entry",
            "exit",
            "plate",
            "entered_at",
            "left_at",
            "state",
            "version",
            "exemption",
            "fee_fen",
            "by_day",
        ]
        for stay in stored:
            stay.changed_at = timezone.now()
        bulk_write(stored, [*fields, "changed_at"])
        Session.objects.bulk_create([s for s in stays if s.pk is None])
        was = sum(s.first_state == SessionState.OPEN for s in stays)
        now_open = sum(s.state == SessionState.OPEN for s in stays)
        if now_open != was:
            Place.objects.filter(pk=self.place.pk).update(occupied=F("occupied") + now_open - was)
        for stay in stays:
            stay.first_state = stay.state
        self.dirty.clear()


def _is_in(passage: Passage | None) -> bool:
    return passage is not None and passage.direction == Direction.IN


def _is_out(passage: Passage | None) -> bool:
    return passage is not None and passage.direction == Direction.OUT


def _state(entry: Passage | None, exit_: Passage | None, followed: bool) -> str:
    if entry is not None and exit_ is not None:
        return SessionState.CLOSED
    if entry is None:
        return SessionState.EXIT_ONLY
    return SessionState.STALE if followed else SessionState.OPEN


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_LETTERS) for _ in range(8))


# -- charging --------------------------------------------------------------------


Earlier = dict[
    str, list[tuple[int, dt.datetime, dict[str, int]]]
]  # plate → its stays' (pk, entry, by_day)


def _charge(session: Session, place: Place, earlier: Earlier | None = None) -> None:
    """The stay's fee by the version valid at its start: a closed stay by its
    length (to the payment, if it left within the grace after paying), an exit
    without entry the first period, an open or stale one nothing yet. `earlier`:
    the plates' recent stays, read once for a batch (for the daily cap)."""
    start = _began(session)
    version = version_at(place.tariff_id, start)
    session.version = version
    session.exemption = (
        session.exemption
        if session.exemption == Exemption.WAIVED
        else _exemption(session.plate, place, start)
    )
    if (
        version is None
        or session.exemption
        or session.state in (SessionState.OPEN, SessionState.STALE)
    ):
        session.fee_fen, session.by_day = 0, {}
        return
    rates = version.rates()
    if session.state == SessionState.EXIT_ONLY:
        fen = rates.first_fen if rates.first_minutes else rates.step_fen
        session.fee_fen, session.by_day = fen, {str(timezone.localdate(start)): fen}
        return
    assert session.entered_at is not None and session.left_at is not None
    before = _charged_before(session, place, earlier) if rates.cap_fen else {}
    result = tariffs.charge(rates, session.entered_at, _charged_until(session), before)
    session.fee_fen = result.fen
    session.by_day = {str(day): fen for day, fen in result.by_day.items()}


def running_fee(session: Session, until: dt.datetime) -> int:
    """What an open stay would cost if it ended now (what the driver pays ahead)."""
    if session.entered_at is None or session.exemption:
        return 0
    version = version_at(session.place.tariff_id, session.entered_at)
    if version is None:
        return 0
    return tariffs.charge(
        version.rates(), session.entered_at, until, _charged_before(session, session.place)
    ).fen


def _charged_until(session: Session) -> dt.datetime:
    assert session.left_at is not None
    grace = dt.timedelta(minutes=settings.PARKING_PAY_GRACE_MINUTES)
    if (
        session.paid_at is not None
        and session.paid_at <= session.left_at <= session.paid_at + grace
    ):
        return session.paid_at
    return session.left_at


CAP_DAYS = dt.timedelta(days=2)  # a stay's charge can meet a cap of the day before


def recent_stays(plates_: set[str], tariff_id: int, since: dt.datetime) -> Earlier:
    """The plates' stays under a tariff that began in the cap's reach of `since`."""
    found: Earlier = defaultdict(list)
    rows = Session.objects.filter(
        plate__in=plates_, place__tariff=tariff_id, entered_at__gte=since - CAP_DAYS
    ).values_list("plate", "pk", "entered_at", "by_day")
    for plate, pk, entered_at, by_day in rows:
        if entered_at is not None:
            found[plate].append((pk, entered_at, by_day))
    return found


def _began(stay: Session) -> dt.datetime:
    start = stay.entered_at or stay.left_at
    assert start is not None
    return start


def _remember(earlier: Earlier, stay: Session) -> None:
    """The stay's new charge in place of what was read of it."""
    assert stay.entered_at is not None
    key = _stay_key(stay)
    mine = [row for row in earlier.get(stay.plate, []) if row[0] != key]
    earlier[stay.plate] = [*mine, (key, stay.entered_at, stay.by_day)]


def _stay_key(stay: Session) -> int:
    # a stay not yet stored is known by its object until it has an id
    return stay.pk if stay.pk is not None else -id(stay)


def _charged_before(
    session: Session, place: Place, earlier: Earlier | None = None
) -> dict[dt.date, int]:
    """What the plate was charged each day under this tariff by its earlier stays."""
    assert session.entered_at is not None
    if earlier is None:
        earlier = recent_stays({session.plate}, place.tariff_id, session.entered_at)
    spent: defaultdict[dt.date, int] = defaultdict(int)
    for pk, entered_at, by_day in earlier.get(session.plate, []):
        if (
            pk != _stay_key(session)
            and session.entered_at - CAP_DAYS <= entered_at < session.entered_at
        ):
            for day, fen in by_day.items():
                spent[dt.date.fromisoformat(day)] += fen
    return dict(spent)


# What every read needs and seldom changes, kept a minute in the cache (shared by
# every server process and host); a write of any of them drops its key (apps.py).
CACHED_SECONDS = 60
VERSIONS_KEY = "parking:versions:{}"
PERMITS_KEY = "parking:permit-plates"


def version_at(tariff_id: int, at: dt.datetime) -> TariffVersion | None:
    """The tariff's version valid at a moment."""
    key = VERSIONS_KEY.format(tariff_id)
    versions = cache.get(key)
    if versions is None:
        versions = list(TariffVersion.objects.filter(tariff_id=tariff_id).order_by("valid_from"))
        cache.set(key, versions, CACHED_SECONDS)
    valid = [v for v in versions if v.valid_from <= at]
    return valid[-1] if valid else None


def _permit_plates() -> frozenset[str]:
    plates_: frozenset[str] | None = cache.get(PERMITS_KEY)
    if plates_ is None:
        plates_ = frozenset(Permit.objects.values_list("plate", flat=True))
        cache.set(PERMITS_KEY, plates_, CACHED_SECONDS)
    return plates_


def _exemption(plate: str, place: Place, at: dt.datetime) -> str:
    if not plate:
        return Exemption.NONE
    if plates.read(plate).kind == plates.Kind.POLICE:
        return Exemption.WHITELIST
    if plate not in _permit_plates():
        return Exemption.NONE
    day = timezone.localdate(at)
    permit = (
        Permit.objects.filter(plate=plate, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .filter(Q(place=place) | Q(place__isnull=True))
        .first()
    )
    if permit is None:
        return Exemption.NONE
    return Exemption.WHITELIST if permit.kind == Permit.Kind.WHITELIST else Exemption.PASS


# -- unplated vehicles (无牌车) ----------------------------------------------------


def _unplated(place: Place, passage: Passage, now: dt.datetime) -> Session | None:
    """An unplated vehicle entering gets a stay known by its ticket (shown on the
    gate's display); leaving, it is matched to a ticket stay the driver settled on
    the ticket page moments before, or waits there."""
    if passage.direction == Direction.IN:
        session = Session.objects.create(
            place=place,
            region_path=place.region_path,
            entry=passage,
            entered_at=passage.at,
            state=SessionState.OPEN,
            ticket=new_ticket(),
        )
        Place.objects.filter(pk=place.pk).update(occupied=F("occupied") + 1)
        return session
    grace = dt.timedelta(minutes=settings.PARKING_PAY_GRACE_MINUTES)
    settled = (
        Session.objects.filter(
            place=place, plate="", exit=None, state=SessionState.CLOSED, left_at__gte=now - grace
        )
        .order_by("-left_at")
        .first()
    )
    if settled is not None and settled.due_fen == 0:
        settled.exit = passage
        settled.save(update_fields=["exit", "changed_at"])
    return settled


def ticket_leave(ticket: str, now: dt.datetime | None = None) -> Session:
    """The driver of an unplated vehicle at the exit gives the ticket: the stay
    ends now and is charged; once paid (or free) the gate opens for it."""
    now = now or timezone.now()
    with transaction.atomic():
        session = (
            Session.objects.select_for_update()
            .filter(ticket=ticket.strip().upper(), plate="")
            .select_related("place__tariff")
            .first()
        )
        if session is None:
            raise ParkingError("没有这张停车票，请核对票号")
        if session.state == SessionState.OPEN:
            session.left_at = now
            session.state = SessionState.CLOSED
            _charge(session, session.place)
            session.save()
            Place.objects.filter(pk=session.place_id).update(occupied=F("occupied") - 1)
    return session


# -- the gate's answer -----------------------------------------------------------


def _answer(
    passage: Passage, session: Session | None, *, duplicate: bool, offline: bool, now: dt.datetime
) -> Outcome:
    """Whether the barrier opens and what the display says. A record re-sent from
    a camera's cache never opens a gate (the car is long gone); a camera over
    spaces has no barrier and is always answered yes."""
    camera = passage.camera
    plate = passage.plate or "无牌车"
    if camera is None or camera.role == CameraRole.OVERHEAD:
        return Outcome(passage, session, duplicate, True, plate)
    if offline:
        return Outcome(passage, session, duplicate, False, "")
    if passage.direction == Direction.IN:
        if session is not None and not passage.plate:
            return Outcome(passage, session, duplicate, True, f"无牌车 票号{session.ticket}")
        allowed = session is not None and bool(
            session.exemption
        )  # passes, fixed spaces, the whitelist
        if not allowed and not is_open(passage.place, passage.at):
            return Outcome(passage, session, duplicate, False, f"{plate} 不在开放时间")
        full = passage.place.kind == PlaceKind.LOT and passage.place.free <= 0 and not duplicate
        if full and not allowed:
            return Outcome(passage, session, duplicate, False, f"{plate} 车位已满")
        return Outcome(passage, session, duplicate, True, f"{plate} 欢迎光临")
    if session is None:
        return Outcome(passage, None, duplicate, False, "无牌车 请扫码输入票号")
    if session.due_fen:
        return Outcome(
            passage, session, duplicate, False, f"{plate} 请缴费{session.due_fen / 100:.2f}元"
        )
    return Outcome(passage, session, duplicate, True, f"{plate} 一路平安")


def is_open(place: Place, at: dt.datetime) -> bool:
    """Whether the place takes cars at a moment (its opening hours, local time;
    closing after midnight allowed). Leaving is never refused for the hour."""
    if place.opens is None or place.closes is None or place.opens == place.closes:
        return True
    now = timezone.localtime(at).time()
    if place.opens < place.closes:
        return place.opens <= now < place.closes
    return now >= place.opens or now < place.closes


def camera_seen(camera: PlateCamera, address: str, now: dt.datetime | None = None) -> None:
    """A push or heartbeat is a sign of life; written at most once a minute (a
    camera polling every second would otherwise write every second)."""
    if cache.add(f"parking:seen:{camera.pk}:{address}", 1, 60):
        now = now or timezone.now()
        PlateCamera.objects.filter(pk=camera.pk).update(last_seen=now, address=address[:64])


def camera_unknown(serial: str, address: str, name: str = "") -> PlateCamera:
    """A serial nobody placed: listed for an administrator, its pushes refused."""
    camera, _ = PlateCamera.objects.get_or_create(
        serial=serial[:64], defaults={"name": name[:100], "address": address[:64]}
    )
    PlateCamera.objects.filter(pk=camera.pk).update(
        refused=F("refused") + 1, last_seen=timezone.now(), address=address[:64]
    )
    return camera


def stale_sweep(now: dt.datetime | None = None) -> int:
    """Stays open longer than the stale time are closed as having no exit
    (flagged, charged nothing until a person looks); their places free up."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.PARKING_STALE_HOURS)
    old = Session.objects.filter(state=SessionState.OPEN, entered_at__lt=cutoff)
    closed = 0
    for place_id in set(old.values_list("place_id", flat=True)):
        with transaction.atomic():
            Place.objects.select_for_update().filter(pk=place_id).first()
            count = old.filter(place_id=place_id).update(state=SessionState.STALE, changed_at=now)
            Place.objects.filter(pk=place_id).update(occupied=F("occupied") - count)
            closed += count
    return closed


def passage_image(passage: Passage, data: bytes) -> None:
    """The camera's picture of the passage, kept until the purge (PARKING_IMAGE_DAYS)."""
    passage.image.save(f"{passage.pk}.jpg", ContentFile(data), save=False)
    Passage.objects.filter(pk=passage.pk).update(image=passage.image.name)


def images_purge(now: dt.datetime | None = None) -> int:
    """Plate images older than the set days are deleted, files and references."""
    now = now or timezone.now()
    old = Passage.objects.filter(
        received_at__lt=now - dt.timedelta(days=settings.PARKING_IMAGE_DAYS)
    ).exclude(image="")
    purged = 0
    for passage in old.iterator():
        passage.image.delete(save=False)
        purged += 1
    old.update(image="")
    return purged


def passage_replate(passage: Passage, text: str) -> Passage:
    """A person read the picture better than the camera: the passage moves to the
    right plate. Its stays under the wrong plate (and its neighbours' there) are
    undone and the neighbours paired again; under the right plate it is paired as
    if just seen. A stay already paid is not undone here (refund it first)."""
    plate = plates.read(text, lenient=settings.PARKING_LENIENT_PLATES)
    if not plate.valid:
        raise ParkingError("更正后的车牌号不符合号牌规则（GA 36）")
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=passage.place_id)
        others = Passage.objects.filter(
            place=place, plate=passage.plate, duplicate_of=None, refused=""
        ).exclude(pk=passage.pk)
        before = (
            others.filter(Q(at__lt=passage.at) | Q(at=passage.at, pk__lt=passage.pk))
            .order_by("-at", "-pk")
            .first()
        )
        wrong = Timeline(place, {passage.plate}, before.at if before else passage.at)
        line = wrong.lines[passage.plate]
        at = next(i for i, x in enumerate(line) if x.pk == passage.pk)
        near = [
            x
            for x in (line[at - 1] if at else None, line[at + 1] if at + 1 < len(line) else None)
            if x
        ]
        undone = {
            id(s): s for s in (wrong.stays.get(id(x)) for x in (*near, line[at])) if s is not None
        }
        if any(s.paid_fen or s.lines.exists() for s in undone.values()):
            raise ParkingError("相关停车记录已有缴费或订单，请先退款再更正车牌")
        was_open = sum(s.state == SessionState.OPEN for s in undone.values())
        Session.objects.filter(pk__in=[s.pk for s in undone.values()]).delete()
        if was_open:
            Place.objects.filter(pk=place.pk).update(occupied=F("occupied") - was_open)
        for stay in undone.values():
            for end in (stay.entry_p, stay.exit_p):
                if end is not None:
                    wrong.stays.pop(id(end), None)
        line.pop(at)
        for orphan in near:
            wrong.readd(orphan)
        wrong.save()
        Passage.objects.filter(pk=passage.pk).update(
            plate=plate.text, kind=plate.kind, valid=True, review=Review.CORRECTED
        )
        passage.refresh_from_db()
        right = Timeline(place, {passage.plate}, passage.at)
        right.readd(next(x for x in right.lines[passage.plate] if x.pk == passage.pk))
        right.save()
    return passage


CAMERA_CLASS = "0601"  # 监控设备
CAMERA_KEY = "parking:camera:{}"


def camera_by_serial(serial: str) -> PlateCamera | None:
    """The camera of a serial number, with its place and tariff (cached a minute)."""
    key = CAMERA_KEY.format(serial)
    camera: PlateCamera | None = cache.get(key)
    if camera is None:
        camera = PlateCamera.objects.filter(serial=serial).select_related("place__tariff").first()
        if camera is not None:
            cache.set(key, camera, CACHED_SECONDS)
    return camera


def forget(sender: type, instance: object, **kwargs: object) -> None:
    """A change of a camera, a tariff's version or a permit drops its cached copy."""
    if isinstance(instance, PlateCamera):
        cache.delete(CAMERA_KEY.format(instance.serial))
    elif isinstance(instance, TariffVersion):
        cache.delete(VERSIONS_KEY.format(instance.tariff_id))
    else:
        cache.delete(PERMITS_KEY)


def camera_install(serial: str, place: Place, role: str, name: str = "") -> PlateCamera:
    """Put a camera at a place: it is accepted and becomes a 部件 (监控设备) at the
    place's position, in the grid there."""
    with transaction.atomic():
        camera, _ = PlateCamera.objects.select_for_update().get_or_create(
            serial=serial.strip()[:64]
        )
        camera.place, camera.role, camera.accepted = place, role, True
        camera.name = (name.strip() or camera.name or f"{place.name}{CameraRole(role).label}")[:100]
        if camera.part is None:
            camera.part = part_create(
                actor=None,
                part_class=PartClass.objects.get(code=CAMERA_CLASS),
                lng=place.lng,
                lat=place.lat,
                name=camera.name,
                address=place.road or place.name,
                source=PartSource.IMPORTED,
                note=f"慧停车车牌识别摄像机 {camera.serial}",
            )
        camera.save()
    return camera
