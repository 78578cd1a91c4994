"""What the parking pages post."""

from __future__ import annotations

from django import forms

from pingan.lib.forms import Form, text


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
