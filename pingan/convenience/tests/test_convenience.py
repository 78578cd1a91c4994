"""Convenience services: booking a half-day at the village centre (capacity,
working days, cancelling, the centre's marks and its scope) and property
services (an estate's record, a complaint that becomes an event)."""

import datetime as dt

import pytest
from django.test import Client
from shapely.geometry import shape

from pingan.accounts.models import Role
from pingan.audit.models import JournalEntry
from pingan.conftest import make_user, signed_in
from pingan.convenience import selectors, services
from pingan.convenience.models import (
    Appointment,
    AppointmentState,
    Estate,
    EstateService,
    PropertyComplaint,
)
from pingan.events.models import Channel, Event
from pingan.notices.models import OutboundMessage


@pytest.fixture
def day():
    return services.bookable_days()[0]


def booking(village, day, **fields):
    return services.Booking(
        kind=fields.pop("kind", "household"),
        village_code=village.code,
        day=day,
        slot=fields.pop("slot", "am"),
        name=fields.pop("name", "马海英"),
        phone=fields.pop("phone", "13897201234"),
        note=fields.pop("note", "给孩子上户口"),
    )


def test_bookable_days_are_working_days_from_tomorrow(db):
    monday = dt.date(2026, 11, 30)
    days = services.bookable_days(monday)
    assert days[0] == dt.date(2026, 12, 1)
    assert all(day.weekday() < 5 for day in days)
    assert dt.date(2026, 12, 5) not in days  # a Saturday
    assert max(days) <= monday + dt.timedelta(days=services.BOOK_AHEAD_DAYS)


def test_a_half_day_takes_as_many_residents_as_its_capacity(tree, day):
    for n in range(services.SLOT_CAPACITY):
        services.appointment_book(booking(tree.village_a1, day, phone=f"1389720{n:04d}"))
    with pytest.raises(services.ServiceError, match="已约满"):
        services.appointment_book(booking(tree.village_a1, day))
    # Another half-day, another kind and another village are still free.
    services.appointment_book(booking(tree.village_a1, day, slot="pm"))
    services.appointment_book(booking(tree.village_a1, day, kind="legal"))
    services.appointment_book(booking(tree.village_a2, day))
    # A cancelled booking frees its place.
    first = Appointment.objects.filter(village=tree.village_a1, slot="am").first()
    services.appointment_cancel(first)
    services.appointment_book(booking(tree.village_a1, day))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"village_code": "999"}, "请选择您所在的村或社区"),
        ({"kind": "tax"}, "请选择预约事项"),
        ({"slot": "night"}, "请选择上午或下午"),
        ({"day": dt.date(2020, 1, 6)}, "明天起两周内的工作日"),
        ({"name": ""}, "请填写您的姓名"),
        ({"phone": "12"}, "联系电话"),
    ],
)
def test_bad_bookings_are_refused_in_chinese(tree, day, fields, message):
    wanted = booking(tree.village_a1, day)
    for key, value in fields.items():
        setattr(wanted, key, value)
    with pytest.raises(services.ServiceError, match=message):
        services.appointment_book(wanted)
    assert not Appointment.objects.exists()


def test_resident_books_on_the_page_looks_it_up_and_cancels(client: Client, tree, day):
    form = {
        "kind": "legal",
        "village": tree.village_a1.code,
        "day": day.isoformat(),
        "slot": "pm",
        "name": "李建国",
        "phone": "13709721188",
        "note": "邻居占用通道",
    }
    assert tree.village_a1.name in client.get("/bm/book/?kind=legal").content.decode()
    response = client.post("/bm/book/", form)
    appointment = Appointment.objects.get()
    assert response["Location"] == f"/bm/a/{appointment.receipt}/?new=1"
    page = client.get(response["Location"]).content.decode()
    assert appointment.receipt in page and "法律咨询" in page and "137****1188" in page
    assert "13709721188" not in page
    (text,) = OutboundMessage.objects.filter(phone="13709721188").values_list("text", flat=True)
    assert appointment.receipt in text and "下午" in text and "法律咨询" in text
    client.post(f"/bm/a/{appointment.receipt.lower()}/cancel/")
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.CANCELLED
    again = client.post(f"/bm/a/{appointment.receipt}/cancel/")
    assert again.status_code == 422 and "不能取消" in again.content.decode()
    bad = client.post("/bm/book/", form | {"day": "tomorrow"})
    assert bad.status_code == 422 and "请选择预约的日期和时段" in bad.content.decode()


def test_the_centre_marks_appointments_of_its_own_area_only(tree, personas, day):
    mine = services.appointment_book(booking(tree.village_a1, day))
    theirs = services.appointment_book(booking(tree.village_a2, day))
    village = personas.village_officer  # 村1 of township A
    assert list(selectors.appointments_for(village)) == [mine]
    assert set(selectors.appointments_for(personas.township_officer)) == {mine, theirs}
    assert not selectors.appointments_for(personas.grid_worker_a).exists()
    assert not selectors.appointments_for(personas.department_handler).exists()
    with pytest.raises(services.PermissionDenied):
        services.appointment_mark(actor=village, appointment=theirs, mark="done")
    client = signed_in(village)
    assert client.post(f"/convenience/appointments/{theirs.pk}/mark/").status_code == 404
    client.post(f"/convenience/appointments/{mine.pk}/mark/", {"mark": "done"})
    mine.refresh_from_db()
    assert mine.state == AppointmentState.DONE and mine.handled_by == village
    assert JournalEntry.objects.filter(action="appointment.done").count() == 1
    page = client.get(f"/convenience/appointments/?day={day}").content.decode()
    assert "已办理" in page and "138****1234" in page
    with pytest.raises(services.ServiceError, match="已经处理过"):
        services.appointment_mark(actor=village, appointment=mine, mark="missed")


# ---- property services --------------------------------------------------------------


@pytest.fixture
def estate(tree):
    centre = shape(tree.grid_a1_1.boundary).representative_point()
    estate = Estate.objects.create(
        name="湟水花园",
        village=tree.village_a1,
        address="平安街道湟水路1号",
        lng=centre.x,
        lat=centre.y,
        households=320,
        company="海东安居物业服务有限公司",
        company_phone="0972-8681001",
    )
    EstateService.objects.create(estate=estate, name="物业服务费", fee="0.80元/㎡·月")
    return estate


def test_a_complaint_becomes_an_event_in_the_estate_grid_and_shows_on_its_record(
    client: Client, estate, tree
):
    response = client.post(
        f"/bm/property/{estate.pk}/complain/",
        {"description": "电梯坏了一周没人修", "phone": "138 9720 1234"},
    )
    complaint = PropertyComplaint.objects.get()
    event = complaint.event
    assert event.reporter_phone == "13897201234"
    assert response["Location"] == f"/t/{event.receipt}/?new=1"
    assert event.category.code == "MS06" and event.channel == Channel.PUBLIC
    assert event.grid == tree.grid_a1_1 and "湟水花园" in event.description
    page = client.get(f"/bm/property/{estate.pk}/").content.decode()
    assert "海东安居物业服务有限公司" in page and "0.80元/㎡·月" in page
    assert "共 1 件，已办结 0 件，办理中 1 件" in page and "电梯坏了一周没人修" in page
    assert "13897201234" not in page
    listed = selectors.estates(tree.village_a1.code).get()
    assert (listed.complaint_count, listed.open_count) == (1, 1)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"description": "差"}, "至少5个字"),
        ({"description": "电梯坏了一周", "phone": "1234"}, "手机号格式"),
    ],
)
def test_a_bad_complaint_is_refused_and_files_nothing(client: Client, estate, form, message):
    response = client.post(f"/bm/property/{estate.pk}/complain/", form)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Event.objects.exists()


def test_estates_desk_is_scoped(tree, personas, estate):
    assert list(selectors.estates_for(personas.village_officer)) == [estate]
    other = make_user("village_b1", Role.VILLAGE_CENTRE, tree.village_b1)
    assert not selectors.estates_for(other).exists()
    assert "湟水花园" not in signed_in(other).get("/convenience/estates/").content.decode()


def test_the_page_shows_places_left_per_half_day_and_the_receipt_the_address(
    client: Client, tree, day
):
    from pingan.regions.models import Region

    Region.objects.filter(pk=tree.village_a1.pk).update(
        office_address="平安街道村1村民委员会一楼便民服务站", office_phone="0972-8601001"
    )
    for _ in range(services.SLOT_CAPACITY):
        services.appointment_book(booking(tree.village_a1, day, kind="legal"))  # morning: full
    free = client.get("/bm/book/free/", {"village": tree.village_a1.code, "kind": "legal"})
    today = next(row for row in free.json()["days"] if row["day"] == day.isoformat())
    assert today == {"day": day.isoformat(), "am": 0, "pm": services.SLOT_CAPACITY}
    page = client.get("/bm/book/", {"village": tree.village_a1.code, "kind": "legal"})
    html = page.content.decode()
    assert "已约满" in html and f"剩 {services.SLOT_CAPACITY} 个" in html
    assert f'value="{day.isoformat()}|am" required disabled' in html
    assert 'data-township="' in html and "data-village-pick" in html
    unknown = client.get("/bm/book/free/", {"village": "nowhere", "kind": "legal"}).json()
    assert all(row["am"] is None for row in unknown["days"])
    response = client.post(
        "/bm/book/",
        {
            "kind": "legal",
            "village": tree.village_a1.code,
            "when": f"{day.isoformat()}|pm",
            "name": "李建国",
            "phone": "13709721188",
        },
    )
    receipt = client.get(response["Location"]).content.decode()
    assert "平安街道村1村民委员会一楼便民服务站" in receipt and 'href="tel:0972-8601001"' in receipt
    full = client.post(
        "/bm/book/",
        {
            "kind": "legal",
            "village": tree.village_a1.code,
            "when": f"{day.isoformat()}|am",
            "name": "韩素梅",
            "phone": "18997205566",
        },
    )
    assert full.status_code == 422 and "已约满" in full.content.decode()
