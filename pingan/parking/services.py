"""What the cameras saw, made into stays. A passage is recorded by the camera's
time, so one cached while the camera was offline lands where it happened; it is
paired with its neighbours in time (the passages of the same plate at the same
place just before and after it), and only the stays those three touch change.
Each stay is charged when it has ended; the place's live occupancy moves in the
same transaction, under a lock on the place."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

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


@dataclass(frozen=True)
class Outcome:
    passage: Passage
    session: Session | None
    duplicate: bool
    open_gate: bool
    say: str  # what the gate's display shows


TICKET_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def passage_record(sighting: Sighting, now: dt.datetime | None = None) -> Outcome:
    """Record one read and answer the gate. A read the camera already sent (same
    camera and record id) answers as the first time and records nothing."""
    now = now or timezone.now()
    plate = plates.read(sighting.plate, lenient=settings.PARKING_LENIENT_PLATES)
    try:
        with transaction.atomic():
            return _record(sighting, plate, now)
    except IntegrityError:
        # The camera sent this record before (or twice at once): the first is stored.
        first = Passage.objects.filter(camera=sighting.camera, source_id=sighting.source_id).first()
        if first is None or not sighting.source_id:
            raise
        return _answer(first, _session_of(first), duplicate=True, offline=sighting.offline, now=now)


def _record(sighting: Sighting, plate: plates.Plate, now: dt.datetime) -> Outcome:
    # A record the camera sent before (same camera and record id) is refused by
    # the unique constraint: passage_record answers it as the first time.
    place = Place.objects.select_for_update().get(pk=sighting.place.pk)
    before, after = (None, None) if plate.unplated else _around(place.pk, plate.text, sighting.at)
    same = None if plate.unplated else _same_passage(place, sighting, before, after)
    passage = Passage.objects.create(
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
        review=_review(plate, sighting.confidence) if same is None else Review.NONE,
    )
    if same is not None:
        return _answer(
            passage, _session_of(same), duplicate=True, offline=sighting.offline, now=now
        )
    if plate.unplated:
        session = _unplated(place, passage, now)
    else:
        session = _pair(place, passage, now, around=(before, after))
    return _answer(passage, session, duplicate=False, offline=sighting.offline, now=now)


def _around(place_id: int, plate: str, at: dt.datetime) -> tuple[Passage | None, Passage | None]:
    """The plate's passages at the place just before and just after a moment (a
    passage at the same moment already stored counts as before: it came first)."""
    others = Passage.objects.filter(place=place_id, plate=plate, duplicate_of=None)
    before = others.filter(at__lte=at).order_by("-at", "-pk").first()
    after = others.filter(at__gt=at).order_by("at", "pk").first()
    return before, after


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


def _review(plate: plates.Plate, confidence: int) -> str:
    if plate.unplated:
        return Review.NONE
    if not plate.valid or confidence < settings.PARKING_CONFIDENCE:
        return Review.NEEDED
    return Review.NONE


def _session_of(passage: Passage) -> Session | None:
    return Session.objects.filter(Q(entry=passage) | Q(exit=passage)).first()


# -- pairing ---------------------------------------------------------------------


def _neighbours(passage: Passage) -> tuple[Passage | None, Passage | None]:
    others = Passage.objects.filter(
        place=passage.place_id, plate=passage.plate, duplicate_of=None
    ).exclude(pk=passage.pk)
    before = (
        others.filter(Q(at__lt=passage.at) | Q(at=passage.at, pk__lt=passage.pk))
        .order_by("-at", "-pk")
        .first()
    )
    after = (
        others.filter(Q(at__gt=passage.at) | Q(at=passage.at, pk__gt=passage.pk))
        .order_by("at", "pk")
        .first()
    )
    return before, after


def _is_in(passage: Passage | None) -> bool:
    return passage is not None and passage.direction == Direction.IN


def _is_out(passage: Passage | None) -> bool:
    return passage is not None and passage.direction == Direction.OUT


def _pair(
    place: Place,
    passage: Passage,
    now: dt.datetime,
    around: tuple[Passage | None, Passage | None] | None = None,
) -> Session:
    """Pair the new passage p with its neighbours a (before) and b (after): an
    entry pairs with the passage after it if that is an exit, an exit with the
    one before it if that is an entry. Only the stays of a's entry and b's exit
    change; they are kept (with their payments and tickets) and at most one stay
    is new: a's entry stays a's, b's exit stays b's, each with its new partner."""
    a, b = around if around is not None else _neighbours(passage)
    p = passage
    pairs: list[
        tuple[Passage | None, Passage | None, bool]
    ] = []  # entry, exit, followed by another entry
    if _is_in(a):
        pairs.append((a, p if _is_out(p) else None, _is_in(p)))
    if _is_in(p):
        pairs.append((p, b if _is_out(b) else None, _is_in(b)))
    elif not _is_in(a):
        pairs.append((None, p, False))
    if _is_out(b) and not _is_in(p):
        pairs.append((None, b, False))
    touched = Q(pk__in=[])
    if _is_in(a):
        touched |= Q(entry=a)
    if _is_out(b):
        touched |= Q(exit=b)
    old = (
        list(Session.objects.filter(touched).select_for_update()) if _is_in(a) or _is_out(b) else []
    )
    was_open = sum(s.state == SessionState.OPEN for s in old)
    Session.objects.filter(pk__in=[s.pk for s in old]).update(entry=None, exit=None)
    kept = {s.pk: s for s in old}
    mine: Session | None = None
    now_open = 0
    for entry, exit_, followed in pairs:
        session = _reuse(kept, entry, exit_, old) or Session(
            place=place, region_path=place.region_path, ticket=new_ticket()
        )
        session.entry, session.exit = entry, exit_
        session.plate = p.plate
        session.entered_at = entry.at if entry else None
        session.left_at = exit_.at if exit_ else None
        session.state = _state(entry, exit_, followed)
        _charge(session, place)
        session.save()
        now_open += session.state == SessionState.OPEN
        if p in (entry, exit_):
            mine = session
    if now_open != was_open:
        Place.objects.filter(pk=place.pk).update(occupied=F("occupied") + now_open - was_open)
    assert mine is not None
    return mine


def _reuse(
    kept: dict[int, Session], entry: Passage | None, exit_: Passage | None, old: list[Session]
) -> Session | None:
    for session in old:
        if session.pk in kept and (
            (entry is not None and _was(session, "entry", entry))
            or (exit_ is not None and _was(session, "exit", exit_))
        ):
            return kept.pop(session.pk)
    return None


def _was(session: Session, side: str, passage: Passage) -> bool:
    """Whether the stay had this passage on this side before pairing cleared it."""
    return bool(getattr(session, f"{side}_id") == passage.pk)


def _state(entry: Passage | None, exit_: Passage | None, followed: bool) -> str:
    if entry is not None and exit_ is not None:
        return SessionState.CLOSED
    if entry is None:
        return SessionState.EXIT_ONLY
    return SessionState.STALE if followed else SessionState.OPEN


def new_ticket() -> str:
    return "".join(secrets.choice(TICKET_LETTERS) for _ in range(8))


# -- charging --------------------------------------------------------------------


def _charge(session: Session, place: Place) -> None:
    """The stay's fee by the version valid at its start: a closed stay by its
    length (to the payment, if it left within the grace after paying), an exit
    without entry the first period, an open or stale one nothing yet."""
    start = session.entered_at or session.left_at
    assert start is not None
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
    result = tariffs.charge(
        rates, session.entered_at, _charged_until(session), _charged_before(session, place)
    )
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


def _charged_before(session: Session, place: Place) -> dict[dt.date, int]:
    """What the plate was charged each day under this tariff by its earlier stays."""
    assert session.entered_at is not None
    earlier = Session.objects.filter(
        plate=session.plate,
        place__tariff=place.tariff_id,
        entered_at__lt=session.entered_at,
        entered_at__gte=session.entered_at - dt.timedelta(days=2),
    ).exclude(pk=session.pk)
    spent: defaultdict[dt.date, int] = defaultdict(int)
    for by_day in earlier.values_list("by_day", flat=True):
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
        full = passage.place.kind == PlaceKind.LOT and passage.place.free <= 0 and not duplicate
        if full and not (session and session.exemption):
            return Outcome(passage, session, duplicate, False, f"{plate} 车位已满")
        return Outcome(passage, session, duplicate, True, f"{plate} 欢迎光临")
    if session is None:
        return Outcome(passage, None, duplicate, False, "无牌车 请扫码输入票号")
    if session.due_fen:
        return Outcome(
            passage, session, duplicate, False, f"{plate} 请缴费{session.due_fen / 100:.2f}元"
        )
    return Outcome(passage, session, duplicate, True, f"{plate} 一路平安")


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
    right plate. Its stays under the wrong plate are undone and its neighbours
    there paired again; under the right plate it is paired as if just seen. A
    stay already paid is not undone here (refund it first)."""
    plate = plates.read(text, lenient=settings.PARKING_LENIENT_PLATES)
    if not plate.valid:
        raise ParkingError("更正后的车牌号不符合号牌规则（GA 36）")
    with transaction.atomic():
        place = Place.objects.select_for_update().get(pk=passage.place_id)
        a, b = _neighbours(passage)
        touched = Q(entry=passage) | Q(exit=passage)
        if a is not None:
            touched |= Q(entry=a) | Q(exit=a)
        if b is not None:
            touched |= Q(entry=b) | Q(exit=b)
        undone = list(Session.objects.select_for_update().filter(touched))
        if any(s.paid_fen or s.lines.exists() for s in undone):
            raise ParkingError("相关停车记录已有缴费或订单，请先退款再更正车牌")
        was_open = sum(s.state == SessionState.OPEN for s in undone)
        Session.objects.filter(pk__in=[s.pk for s in undone]).delete()
        if was_open:
            Place.objects.filter(pk=place.pk).update(occupied=F("occupied") - was_open)
        Passage.objects.filter(pk=passage.pk).update(
            plate=plate.text, kind=plate.kind, valid=True, review=Review.CORRECTED
        )
        for orphan in sorted((p for p in (a, b) if p is not None), key=lambda p: (p.at, p.pk)):
            _pair(place, orphan, timezone.now())
        passage.refresh_from_db()
        _pair(place, passage, timezone.now())
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
