"""What the fieldwork pages post: a follow-up visit, a change's review, a
village's policy, an inspection assigned."""

from __future__ import annotations

from django import forms

from pingan.lib.forms import Form, text


class VisitForm(Form):
    note = text()
    risk_level = text()


class ReviewForm(Form):
    approve = text()  # "1" approves, anything else rejects
    note = text()


class PolicyForm(Form):
    approve_changes = text()  # the checkbox: "on" when ticked
    visit_every_days = forms.IntegerField(
        required=False, error_messages={"invalid": "请填写正确的天数"}
    )


class InspectionForm(Form):
    place = forms.IntegerField(error_messages={"required": "请选择辖区内的场所和网格员"})
    assignee = forms.IntegerField(error_messages={"required": "请选择辖区内的场所和网格员"})
    due_on = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "请填写完成期限", "invalid": "日期格式应为 YYYY-MM-DD"},
    )
    note = text()
