"""What 便民服务's pages post: a booking, a complaint about an estate, a clerk's mark."""

from __future__ import annotations

import datetime as dt

from django import forms

from pingan.lib.forms import Form, text

PICK_DAY = "请选择预约的日期和时段"


class BookingForm(Form):
    kind = text()
    village = text()
    # The page sends one choice of day and half-day ("2026-12-03|am"); day and
    # slot apart are taken too.
    when = text()
    day = text()
    slot = text()
    name = text()
    phone = text()
    note = text()

    def clean(self):
        data = super().clean() or {}
        day, _, slot = data.get("when", "").partition("|")
        try:
            data["day"] = dt.date.fromisoformat(day or data.get("day", ""))
        except ValueError:
            raise forms.ValidationError(PICK_DAY) from None
        data["slot"] = slot or data.get("slot", "")
        return data


class ComplaintForm(Form):
    description = text()
    phone = text()


class MarkForm(Form):
    mark = text()
    note = text()
