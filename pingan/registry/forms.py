"""What the registry's pages post, read through forms: the views take the cleaned
values and hand them to the services, which keep the rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms

from pingan.lib import fieldspec
from pingan.lib.forms import Form, flag, text
from pingan.registry import definitions
from pingan.registry.models import COMMON_BLOCK

SHEET_SUFFIXES = {".xlsx", ".xls", ".csv"}


class ImportForm(Form):
    file = forms.FileField(error_messages={"required": "请选择要导入的文件"})
    kind = forms.ChoiceField(
        error_messages={"required": "请选择导入的类别", "invalid_choice": "请选择导入的类别"}
    )
    valid_only = flag()

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in SHEET_SUFFIXES:
            raise forms.ValidationError("只支持 .xlsx、.xls 和 .csv 文件")
        return upload


class PersonForm(Form):
    """A new person, or the corrections to one: the fixed fields and the common
    block (registry.models.COMMON_BLOCK), each as text the services check."""

    grid = text()
    household = text()
    house = text()
    name = text()
    id_number = text()
    phone = text()

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in COMMON_BLOCK:
            self.fields[name] = text()

    def common(self) -> dict[str, str]:
        return {name: self.cleaned()[name] for name in COMMON_BLOCK}

    def changes(self) -> dict[str, str]:
        """The common-block fields the page sent: a correction touches only those."""
        return {name: value for name, value in self.common().items() if name in self.data}


class MoveForm(Form):
    grid = text()
    note = text()


class RecordForm(Form):
    """A record's own fields; the category's fields are read by the definition."""

    risk_level = text()
    started_on = text()
    helper = text()

    def clean_started_on(self):
        value = self.cleaned_data["started_on"]
        try:
            return fieldspec.parse_date(value) if value else None
        except definitions.DefinitionError as exc:
            raise forms.ValidationError(str(exc)) from None


class RecordChangeForm(Form):
    risk_level = text()
    reason = text(max_length=200)


class UnitForm(Form):
    """An organisation (credit code, legal representative) or a place (its code)."""

    grid = text()
    kind = text()
    name = text()
    address = text()
    credit_code = text()
    legal_representative = text()
    code = text()


class DefinitionForm(Form):
    code = text()
    name = text()
    subject = text()
    sensitive = flag()


class PlanForm(Form):
    fingerprint = text()  # the proposal the page showed, so a changed one is refused
