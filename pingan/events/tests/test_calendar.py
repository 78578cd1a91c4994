"""The district enters the State Council's holiday notice in the admin before
chinese-calendar knows the year; time limits count by it at once, and every
change is journaled."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pingan.audit.models import JournalEntry
from pingan.events import calendar
from pingan.events.models import WorkCalendarDay
from pingan.lib import workdays


@pytest.fixture(autouse=True)
def fresh_arrangement():
    calendar.forget()
    yield
    calendar.forget()  # the rolled-back rows must not outlive the test in the cache


def test_a_day_entered_in_the_admin_counts_at_once_and_is_journaled(admin_client):
    saturday = dt.date(2099, 1, 3)
    assert not workdays.is_workday(saturday)
    response = admin_client.post(
        "/admin/events/workcalendarday/add/",
        {"day": "2099-01-03", "workday": "on", "note": "元旦调休上班"},
    )
    assert response.status_code == 302
    assert workdays.is_workday(saturday)
    entry = JournalEntry.objects.get(action="calendar.set")
    assert entry.data == {"day": "2099-01-03", "workday": True, "note": "元旦调休上班"}

    day = WorkCalendarDay.objects.get()
    admin_client.post(f"/admin/events/workcalendarday/{day.pk}/delete/", {"post": "yes"})
    assert not WorkCalendarDay.objects.exists()
    assert not workdays.is_workday(saturday)
    assert JournalEntry.objects.filter(action="calendar.delete").count() == 1


def test_a_holiday_entered_moves_a_deadline(db):
    WorkCalendarDay.objects.create(day=dt.date(2099, 1, 5), workday=False, note="春节")
    friday_evening = dt.datetime(2099, 1, 2, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    # It counts from the next working morning, which is no longer Monday but Tuesday.
    due = workdays.add_working_days(friday_evening, 1)
    assert due == dt.datetime(2099, 1, 7, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
