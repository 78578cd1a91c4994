"""Recording fieldwork. Each service checks the actor's scope, writes the record,
its photos and its journal row in one transaction. A hazard found on an inspection
becomes an event in the closed loop; a follow-up done on a visit moves the
record's next due date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

import base64
import binascii
import datetime as dt
import json
import math
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from pingan.accounts import access
from pingan.accounts.models import Role, User
from pingan.audit.services import journal_write
from pingan.events import photos as event_photos
from pingan.events import routing
from pingan.events.models import Channel, Event
from pingan.events.services import Report, category_for, event_report
from pingan.fieldwork.models import InspectionTask, Kind, WorkPhoto, WorkRecord
from pingan.lib.divisions import Level
from pingan.lib.errors import DomainError
from pingan.lib.text import clean_text
from pingan.regions.models import Region
from pingan.registry import records as registry_records
from pingan.registry.models import Household, Person, Place, Record
from pingan.registry.selectors import records_for_user, subjects_by_id


class FieldError(DomainError):
    """A record that cannot be taken as sent; the message is Chinese."""


MAX_PHOTOS = 6
CLOCK_SLACK = dt.timedelta(minutes=10)
FINDINGS = {
    "needs": "群众需求",
    "difficulties": "生活困难",
    "disputes": "矛盾纠纷",
    "hazards": "安全隐患",
    "help": "帮扶情况",
}


@cache
def checklists() -> dict[str, list[dict]]:
    """The inspection checklist of each kind of place (data, not code)."""
    found: dict[str, list[dict]] = json.loads(
        (Path(__file__).parent / "checklists.json").read_text("utf-8")
    )
    return found


@dataclass
class Hazard:
    category: str
    description: str


@dataclass
class Work:
    """What the phone sent for one piece of fieldwork."""

    kind: str
    note: str
    at: dt.datetime | None = None
    lng: float | None = None
    lat: float | None = None
    household_id: int | None = None
    place_id: int | None = None
    findings: dict = field(default_factory=dict)
    track: list = field(default_factory=list)
    photos: list[bytes] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    follow_ups: list[int] = field(default_factory=list)


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise FieldError("时间格式不正确")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def decode_photo(text: str) -> bytes:
    """A photo sent as base64 (a data: URL or bare), checked for size."""
    payload = text.split(",", 1)[1] if text.startswith("data:") else text
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError("照片数据损坏，请重新拍摄") from None
    if len(data) > settings.MAX_PHOTO_BYTES:
        raise FieldError(f"照片不能超过{settings.MAX_PHOTO_BYTES // (1024 * 1024)}MB")
    return data


def work_record(*, actor: User, work: Work, client_uuid: uuid.UUID | None = None) -> WorkRecord:
    """Store one piece of fieldwork with its photos; hazards become events."""
    _check(work)
    household, place = _subject(actor, work)
    grid = _grid_of(actor, work, household, place)
    access.require_scope(actor, grid.path, write=True)
    checked = [event_photos.decode(data) for data in work.photos]
    follow_ups = _follow_ups(actor, work.follow_ups)
    findings = _findings(work, place) | _away(work, grid, household or place)
    with transaction.atomic():
        record = WorkRecord.objects.create(
            kind=work.kind,
            by=actor,
            grid=grid,
            region_path=grid.path,
            at=work.at or timezone.now(),
            lng=work.lng,
            lat=work.lat,
            note=work.note.strip(),
            household=household,
            place=place,
            findings=findings,
            track=work.track,
            distance_m=round(track_length(work.track)),
            client_uuid=client_uuid,
        )
        for data, image in zip(work.photos, checked, strict=True):
            _attach(record, data, image)
        for follow_up in follow_ups:
            registry_records.visit_add(
                actor=actor, record=follow_up, note=record.note, at=record.at
            )
        record.events.set(_hazard_events(actor, record, work.hazards, client_uuid))
        if place is not None:
            InspectionTask.objects.filter(place=place, assignee=actor, done__isnull=True).update(
                done=record
            )
        _journal_created(actor, record)
    return record


def follow_up_record(*, actor: User, record: Record, note: str, risk_level: str = "") -> WorkRecord:
    """A follow-up entered on the record's web page: the registry's visit, and the
    work record that counts it, as the app's visits are counted. A person's or a
    household's follow-up is 入户走访 at their household; a place's, house's or
    organisation's is 综合工作 (the app records places as 重点场所排查, with a
    checklist this page does not have)."""
    with transaction.atomic():
        visit = registry_records.visit_add(
            actor=actor, record=record, note=note, risk_level=risk_level
        )
        household = _household_of(record)
        grid = Region.objects.defer("boundary").get(pk=record.grid_id)
        work = WorkRecord.objects.create(
            kind=Kind.VISIT if household else Kind.GENERAL,
            by=actor,
            grid=grid,
            region_path=grid.path,
            at=visit.at,
            note=visit.note,
            household=household,
        )
        _journal_created(actor, work, record=record.pk)
    return work


def _journal_created(actor: User, work: WorkRecord, **data: Any) -> None:
    journal_write(
        actor=actor,
        action="work.create",
        object_type="work",
        object_id=work.pk,
        region_path=work.region_path,
        data={"kind": work.kind, **data},
    )


def _household_of(record: Record) -> Household | None:
    subject = subjects_by_id([record]).get((record.subject, record.subject_id))
    if isinstance(subject, Person):
        return subject.household
    return subject if isinstance(subject, Household) else None


def _check(work: Work) -> None:
    if work.kind not in Kind.values:
        raise FieldError(f"未知的工作类型：{work.kind}")
    work.note = clean_text(work.note, label="工作情况", max_length=2000, multiline=True)
    if len(work.note) < 2:
        raise FieldError("请填写工作情况")
    if work.at and work.at > timezone.now() + CLOCK_SLACK:
        raise FieldError("记录时间晚于现在，请检查手机时间")
    if len(work.photos) > MAX_PHOTOS:
        raise FieldError(f"每条记录最多{MAX_PHOTOS}张照片")
    if work.kind == Kind.VISIT and work.household_id is None:
        raise FieldError("入户走访请选择走访的户")
    if work.kind == Kind.INSPECTION and work.place_id is None:
        raise FieldError("场所排查请选择排查的场所")
    if work.kind == Kind.PATROL:
        _check_track(work.track)
    if work.hazards and work.kind != Kind.INSPECTION:
        raise FieldError("只有场所排查可以一键上报隐患")


MAX_TRACK_POINTS = 20_000  # a fix every 2 s for 11 hours


def _check_track(track: list) -> None:
    if len(track) < 2:
        raise FieldError("巡逻轨迹至少需要两个定位点")
    if len(track) > MAX_TRACK_POINTS:
        raise FieldError(f"巡逻轨迹最多{MAX_TRACK_POINTS}个定位点")
    for point in track:
        valid = isinstance(point, list) and len(point) in (2, 3)
        valid = valid and all(isinstance(v, int | float) for v in point)
        if not valid or not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
            raise FieldError("巡逻轨迹中有无效的定位点")


def _subject(actor: User, work: Work) -> tuple[Household | None, Place | None]:
    household = place = None
    if work.household_id is not None:
        household = (
            access.scope(actor, Household.objects.all()).filter(pk=work.household_id).first()
        )
        if household is None:
            raise FieldError("没有找到该户，或不在您的网格")
    if work.place_id is not None:
        place = access.scope(actor, Place.objects.all()).filter(pk=work.place_id).first()
        if place is None:
            raise FieldError("没有找到该场所，或不在您的网格")
    return household, place


def _grid_of(actor: User, work: Work, household: Household | None, place: Place | None) -> Region:
    """The grid the work belongs to: its household's or place's, else where the
    phone was, else the worker's own grid."""
    subject = household or place
    if subject is not None:
        return Region.objects.defer("boundary").get(pk=subject.grid_id)
    if work.lng is not None and work.lat is not None:
        try:
            code = routing.grid_code_for(work.lng, work.lat)
        except routing.RoutingError:
            code = None
        if code and access.in_scope(actor, _path_of(code), write=True):
            return Region.objects.defer("boundary").get(code=code)
    if actor.region is not None and actor.region.level == Level.GRID:
        return actor.region
    raise FieldError("无法确定工作所在网格，请开启定位")


def _away(work: Work, grid: Region, subject: Household | Place | None) -> dict:
    """Where the phone was outside the grid of the household or place: kept, with
    how far it was, so a fix a street off (or a visit done at the gate) is not
    refused but can be looked at. {"away_m": metres} or nothing."""
    if subject is None or work.lng is None or work.lat is None:
        return {}
    try:
        inside = routing.grid_code_for(work.lng, work.lat) == grid.code
    except routing.RoutingError:
        inside = False
    if inside:
        return {}
    lng, lat = registry_records.subject_point(subject)
    return {"away_m": round(routing.distance_metres(work.lng, work.lat, lng, lat))}


def _path_of(code: str) -> str:
    return Region.objects.filter(code=code).values_list("path", flat=True).first() or "-"


def _findings(work: Work, place: Place | None) -> dict:
    if work.kind == Kind.VISIT:
        unknown = set(work.findings) - set(FINDINGS)
        if unknown:
            raise FieldError(f"未知的走访发现：{'、'.join(sorted(unknown))}")
        return {k: str(v).strip() for k, v in work.findings.items() if str(v).strip()}
    if work.kind == Kind.INSPECTION and place is not None:
        return {"checklist": _checklist(place, work.findings.get("checklist", {}))}
    if work.kind == Kind.VIDEO:
        return {"camera": str(work.findings.get("camera", "")).strip()[:100]}
    return {}


def _checklist(place: Place, answers: dict) -> dict:
    """Every item of the place's checklist answered: "ok" or "problem"."""
    items = checklists().get(place.kind, [])
    missing = [item["label"] for item in items if answers.get(item["key"]) not in {"ok", "problem"}]
    if missing:
        raise FieldError(f"请逐项检查：{'、'.join(missing)}")
    return {item["key"]: answers[item["key"]] for item in items}


def _follow_ups(actor: User, record_ids: list[int]) -> list[Record]:
    found = list(records_for_user(actor).filter(pk__in=record_ids).select_related("definition"))
    if len(found) != len(set(record_ids)):
        raise FieldError("有跟进对象不存在，或无权查看")
    return found


def _attach(record: WorkRecord, data: bytes, image: Image.Image) -> WorkPhoto:
    content_type, digest, name = event_photos.stored_name(data, image)
    photo = WorkPhoto(record=record, content_type=content_type, size=len(data), sha256=digest)
    photo.file.save(name, ContentFile(data), save=False)
    photo.save()
    return photo


def _hazard_events(
    actor: User, record: WorkRecord, hazards: list[Hazard], client_uuid: uuid.UUID | None
) -> list[Event]:
    """Each hazard found reported as an event of the record's grid (the place's,
    wherever the phone was), under a UUID made from the record's, so a replayed
    inspection reports its hazards once."""
    events = []
    lng, lat = _where(record)
    for index, hazard in enumerate(hazards):
        place = f"{record.place.name}：" if record.place else ""
        intake = event_report(
            actor=actor,
            channel=Channel.GRID_WORKER,
            report=Report(
                category=category_for(hazard.category),
                lng=lng,
                lat=lat,
                description=f"【场所排查】{place}{hazard.description}",
                address=record.place.address if record.place else "",
                grid_code=record.grid.code,
            ),
            client_uuid=uuid.uuid5(client_uuid, f"hazard-{index}") if client_uuid else None,
        )
        events.append(intake.event)
    return events


def _where(record: WorkRecord) -> tuple[float, float]:
    """The phone's point, unless it was outside the grid: then the place's own."""
    if record.lng is not None and record.lat is not None and "away_m" not in record.findings:
        return record.lng, record.lat
    # A household's point is found through the record itself (record.household).
    return registry_records.subject_point(record.place or record)


def track_length(track: list) -> float:
    """Metres walked along a patrol's track (haversine between fixes)."""
    metres = 0.0
    for (lng1, lat1, *_), (lng2, lat2, *_) in zip(track, track[1:], strict=False):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lng2 - lng1)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        metres += 2 * 6_371_000 * math.asin(math.sqrt(a))
    return metres


def inspection_assign(
    *, actor: User, place: Place, assignee: User, due_on: dt.date, note: str = ""
) -> InspectionTask:
    """A centre (or grid leader) asks a grid worker to inspect a place by a date."""
    access.require_scope(actor, place.region_path, write=True)
    if actor.role == Role.GRID_WORKER:
        raise PermissionDenied("网格员不能分派排查任务")
    if not access.in_scope(assignee, place.region_path, write=True):
        raise FieldError("被分派人不负责该场所所在网格")
    with transaction.atomic():
        task = InspectionTask.objects.create(
            place=place,
            region_path=place.region_path,
            assignee=assignee,
            assigned_by=actor,
            due_on=due_on,
            note=note.strip(),
        )
        journal_write(
            actor=actor,
            action="inspection.assign",
            object_type="inspection_task",
            object_id=task.pk,
            region_path=place.region_path,
            data={"assignee": assignee.username, "place": place.pk},
        )
    return task
