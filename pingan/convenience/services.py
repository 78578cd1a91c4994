"""The rules of the convenience services: which days and half-days can be booked
and how many residents each takes, who marks an appointment as done, and how a
property complaint enters the event closed loop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone

from pingan.accounts import access
from pingan.accounts.models import CENTRE_STAFF, User
from pingan.audit.services import journal_write
from pingan.convenience.models import (
    Appointment,
    AppointmentKind,
    AppointmentState,
    Estate,
    PropertyComplaint,
    Slot,
)
from pingan.events import services as events
from pingan.events.lifecycle import OPEN
from pingan.events.models import Channel, Event, State
from pingan.lib import workdays
from pingan.lib.errors import DomainError
from pingan.lib.receipts import with_new_receipt
from pingan.lib.text import clean_phone, mask_phone
from pingan.notices.services import text_phone
from pingan.regions.models import Region
from pingan.regions.selectors import public_village
from pingan.registry.crypto import cipher

SLOT_CAPACITY = 8  # residents per village, kind and half-day: what one desk can see
BOOK_AHEAD_DAYS = 14
PROPERTY_CATEGORY = "MS06"  # 物业服务
S = AppointmentState
SETTLED = (State.CLOSED, State.ARCHIVED)  # 结案 (and rated)


class ServiceError(DomainError):
    """A request that cannot be carried out as asked; the message is Chinese."""


def bookable_days(today: dt.date | None = None) -> list[dt.date]:
    """The working days from tomorrow on, within two weeks."""
    today = today or timezone.localdate()
    days = [today + dt.timedelta(days=n) for n in range(1, BOOK_AHEAD_DAYS + 1)]
    return [day for day in days if workdays.is_workday(day)]


def free_places(village: Region, kind: str, days: list[dt.date]) -> dict[tuple, int]:
    """Places left at the village's desk for `kind`, per (day, half-day)."""
    taken = (
        Appointment.objects.filter(village=village, kind=kind, day__in=days, state=S.BOOKED)
        .values_list("day", "slot")
        .annotate(n=Count("id"))
        .order_by()
    )
    counted = {(day, slot): n for day, slot, n in taken}
    return {
        (day, slot): max(0, SLOT_CAPACITY - counted.get((day, slot), 0))
        for day in days
        for slot in Slot.values
    }


@dataclass
class Booking:
    kind: str
    village_code: str
    day: dt.date
    slot: str
    name: str
    phone: str
    note: str = ""


def appointment_book(booking: Booking) -> Appointment:
    village = public_village(booking.village_code)
    if village is None:
        raise ServiceError("请选择您所在的村或社区")
    if booking.kind not in AppointmentKind.values:
        raise ServiceError("请选择预约事项")
    if booking.slot not in Slot.values:
        raise ServiceError("请选择上午或下午")
    if booking.day not in bookable_days():
        raise ServiceError("只能预约明天起两周内的工作日")
    name = booking.name.strip()
    if not 2 <= len(name) <= 50:
        raise ServiceError("请填写您的姓名")
    phone = clean_phone(booking.phone)
    if phone is None:
        raise ServiceError("请填写正确的联系电话")
    with transaction.atomic():
        # One village's desk at a time, so two last bookings cannot both fit.
        Region.objects.select_for_update().filter(pk=village.pk).first()
        free = free_places(village, booking.kind, [booking.day])
        if free[(booking.day, booking.slot)] <= 0:
            raise ServiceError("该时段已约满，请换一个时段")
        appointment = _create(booking, village, name, phone)
        text_phone(
            phone,
            f"【平安区便民服务】您已预约{village.name}便民服务站{booking.day:%m月%d日}"
            f"{appointment.get_slot_display()}，办理{appointment.get_kind_display()}。"
            f"回执码{appointment.receipt}，请带身份证。",
            appointment.receipt,
        )
        return appointment


def _create(booking: Booking, village: Region, name: str, phone: str) -> Appointment:
    def create(receipt: str) -> Appointment:
        return Appointment.objects.create(
            kind=booking.kind,
            village=village,
            region_path=village.path,
            day=booking.day,
            slot=booking.slot,
            name=name,
            phone_encrypted=cipher().encrypt(phone),
            phone_masked=mask_phone(phone),
            note=booking.note.strip()[:500],
            receipt=receipt,
        )

    return with_new_receipt(create)


def appointment_cancel(appointment: Appointment) -> Appointment:
    """The resident cancels, with the receipt code."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.state != S.BOOKED:
            raise ServiceError("这个预约已经不能取消")
        appointment.state = S.CANCELLED
        appointment.handled_at = timezone.now()
        appointment.save()
    return appointment


MARKS = {"done": S.DONE, "missed": S.MISSED, "cancelled": S.CANCELLED}


def appointment_mark(
    *, actor: User, appointment: Appointment, mark: str, note: str = ""
) -> Appointment:
    """The centre records what became of an appointment."""
    if mark not in MARKS:
        raise ServiceError("没有这个操作")
    if actor.role not in CENTRE_STAFF or not access.in_scope(
        actor, appointment.region_path, write=True
    ):
        raise PermissionDenied("这个预约不归您办理")
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.state != S.BOOKED:
            raise ServiceError("这个预约已经处理过了")
        appointment.state = MARKS[mark]
        appointment.handled_by = actor
        appointment.handled_at = timezone.now()
        appointment.handled_note = note.strip()[:500]
        appointment.save()
        journal_write(
            actor=actor,
            action=f"appointment.{mark}",
            object_type="appointment",
            object_id=appointment.pk,
            region_path=appointment.region_path,
        )
    return appointment


def complaint_file(
    *, estate: Estate, description: str, phone: str = "", ip: str = ""
) -> PropertyComplaint:
    """A resident's complaint about an estate becomes an event of 物业服务, reported
    at the estate, and is kept on the estate's record."""
    description = description.strip()
    if len(description) < 5:
        raise ServiceError("请写清楚要投诉的问题（至少5个字）")
    number = clean_phone(phone) if phone.strip() else ""  # the phone is optional here
    if number is None:
        raise ServiceError("手机号格式不正确")
    report = events.Report(
        category=events.category_for(PROPERTY_CATEGORY),
        lng=estate.lng,
        lat=estate.lat,
        description=f"【物业投诉·{estate.name}·{estate.company}】{description[:1900]}",
        address=estate.address,
        reporter_phone=number,
    )
    with transaction.atomic():
        intake = events.event_report(actor=None, channel=Channel.PUBLIC, report=report, ip=ip)
        complaint, _ = PropertyComplaint.objects.get_or_create(
            event=intake.event, defaults={"estate": estate, "summary": description[:100]}
        )
    return complaint


def complaint_record(estate: Estate) -> dict:
    """What the public sees of an estate's complaints: how many, how many settled,
    the average rating, and the latest ones without who made them."""
    events_of = Event.objects.filter(property_complaint__estate=estate)
    total = events_of.count()
    settled = events_of.filter(state__in=SETTLED).count()
    rating = events_of.aggregate(mean=Avg("satisfaction"))["mean"]
    latest = estate.complaints.select_related("event")[:10]
    return {
        "total": total,
        "settled": settled,
        "open": events_of.filter(state__in=OPEN).count(),
        "rating": round(rating, 1) if rating is not None else None,
        "latest": latest,
    }
