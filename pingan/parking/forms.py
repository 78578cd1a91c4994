"""What the parking pages post."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from pingan.lib.forms import Form, text
from pingan.parking.models import CameraRole
from pingan.parking.reports import Asked


class OwedForm(Form):
    plate = text("车牌号", required=True, max_length=16)
    ticket = text("停车票号", required=True, max_length=8)


class TicketForm(Form):
    ticket = text("停车票号", required=True, max_length=8)


class NearForm(Form):
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)


class PlateSearchForm(Form):
    plate = text("车牌号", required=True, max_length=16)
    reason = text("查询事由", required=True, max_length=200)


class CorrectForm(Form):
    plate = text("更正后的车牌号", max_length=16)


class RefundForm(Form):
    reason = text("退款原因", required=True, max_length=200)
    waive = forms.BooleanField(required=False)


class DayForm(Form):
    day = forms.DateField(required=False)

    @classmethod
    def day_of(cls, data) -> dt.date:
        form = cls(data)
        return (form.cleaned_data.get("day") if form.is_valid() else None) or timezone.localdate()


class PlaceCameraForm(Form):
    serial = text("序列号", required=True, max_length=64)
    place = text("停车点", required=True, max_length=20)
    role = forms.ChoiceField(
        choices=CameraRole.choices, error_messages={"invalid_choice": "请选择摄像机位置"}
    )
    name = text("名称", max_length=100)


class ReportForm(Form):
    GROUPS = {"place": "按停车点", "road": "按道路", "township": "按乡镇/街道"}
    group = forms.ChoiceField(choices=list(GROUPS.items()), required=False)
    month = forms.RegexField(r"^\d{4}-\d{2}$", required=False)
    day = forms.DateField(required=False)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    @classmethod
    def of(cls, data) -> Asked:
        """Days from since to until (both included), a month (YYYY-MM) or a day, by
        place, road or township; today by place when nothing readable is asked."""
        form = cls(data)
        sent = form.cleaned_data if form.is_valid() else {}
        group = sent.get("group") or "place"
        if sent.get("since") and sent.get("until") and sent["since"] <= sent["until"]:
            return Asked(group, sent["since"], sent["until"] + dt.timedelta(days=1))
        if sent.get("month"):
            year, month = (int(x) for x in sent["month"].split("-"))
            if 1 <= month <= 12:
                start = dt.date(year, month, 1)
                end = dt.date(year + month // 12, month % 12 + 1, 1)
                return Asked(group, start, end)
        day = sent.get("day") or timezone.localdate()
        return Asked(group, day, day + dt.timedelta(days=1))
