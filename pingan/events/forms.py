"""What the events' pages post, read through forms. A step's own inputs are the
lifecycle's (lifecycle.INPUTS, read by read_inputs); these are the rest: reports,
the queue's batch, a step's version and reason, a rating."""

from __future__ import annotations

from django import forms

from pingan.lib.forms import Form, text

PLACE = ("lng", "lat", "grid")  # where: a point, or a grid whose middle stands for it


class ReportForm(Form):
    """A report as a page sends it; each page uses the fields it shows."""

    category = text()
    description = text()
    address = text()
    lng = text()
    lat = text()
    grid = text()
    picked = text()  # "1": the point was chosen on the map, not taken from the phone
    name = text()
    phone = text()


class StaffReportForm(ReportForm):
    """An event a centre enters: who reported it, by which channel, at what level."""

    reporter_name = text()
    reporter_phone = text()
    source_ref = text()
    channel = text()
    level = text()


class MobileReportForm(ReportForm):
    client_uuid = forms.UUIDField(
        error_messages={
            "required": "提交编号无效，请刷新页面",
            "invalid": "提交编号无效，请刷新页面",
        }
    )


PICK_BOTH = "请选择事件和批量操作"


class BulkForm(Form):
    ids = forms.Field(required=False)
    action = forms.ChoiceField(
        choices=[("accept", "受理"), ("dispatch", "派遣")],
        error_messages={"required": PICK_BOTH, "invalid_choice": PICK_BOTH},
    )
    department_id = forms.IntegerField(required=False)

    def clean_ids(self) -> list[int]:
        # Any number posted is a candidate; the queue checks each against the user's scope.
        ids = [int(i) for i in self.data.getlist("ids") if str(i).isdigit()]  # type: ignore[attr-defined]
        if not ids:
            raise forms.ValidationError(PICK_BOTH)
        return ids


class StepForm(Form):
    """A transition's envelope: the version the page saw and the reason given."""

    version = forms.IntegerField(required=False)
    reason = text()


class RateForm(Form):
    satisfaction = forms.IntegerField(
        min_value=1,
        max_value=5,
        error_messages={
            k: "请选择1到5星" for k in ("required", "invalid", "min_value", "max_value")
        },
    )
    comment = text()
    code = text()
