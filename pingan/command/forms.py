"""What the command centre's pages post: the assessment's weights and 督办单."""

from __future__ import annotations

from typing import Any

from django import forms

from pingan.command import indicators
from pingan.lib.forms import Form, text

NUMBER = {"invalid": "权重应为数字"}


class WeightsForm(Form):
    """One weight per indicator; a blank one counts as 0."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for code in indicators.DEFAULT_WEIGHTS:
            self.fields[code] = forms.FloatField(required=False, error_messages=NUMBER)

    def weights(self) -> dict[str, float]:
        return {code: value or 0.0 for code, value in self.cleaned().items()}


class NoticeForm(Form):
    receipt = text("回执码", required=True)
    requirement = text()
    days = forms.IntegerField(
        error_messages={"required": "请填写督办期限", "invalid": "督办期限应为天数"}
    )

    def clean_receipt(self) -> str:
        return self.cleaned_data["receipt"].upper()


class AnswerForm(Form):
    close = text()  # sent by the 办结 button
    note = text()
    reply = text()
