"""What the 部件 pages post."""

from __future__ import annotations

from pathlib import Path

from django import forms

from pingan.lib.forms import Form, flag, text

NUMBER = {"required": "请在地图上点选位置，或填写经纬度", "invalid": "经纬度应为数字"}


class PartForm(Form):
    part_class = text("小类", required=True)
    lng = forms.FloatField(error_messages=NUMBER)
    lat = forms.FloatField(error_messages=NUMBER)
    name = text()
    address = text()
    holder = text()
    note = text()


class DamageForm(Form):
    state = text()
    description = text()


class PartEditForm(Form):
    state = text()
    address = text()
    holder = text()
    note = text()
    maintainer = forms.IntegerField(required=False)


class ImportForm(Form):
    file = forms.FileField(error_messages={"required": "请选择要导入的文件"})
    valid_only = flag()

    def clean(self):
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            data["suffix"] = Path(upload.name or "").suffix.lower()
            if data["suffix"] not in {".xlsx", ".csv"}:
                raise forms.ValidationError("只支持 .xlsx 和 .csv 文件")
        return data
