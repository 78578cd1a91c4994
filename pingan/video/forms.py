"""What the camera pages post."""

from __future__ import annotations

import re

from django import forms

from pingan.lib.forms import Form, text

WHOLE = {"invalid": "应为整数"}
PLACE = {"required": "请在地图上点选位置，或填写经纬度", "invalid": "经纬度应为数字"}


class ViewForm(Form):
    use = text()
    direction = forms.IntegerField(label="朝向", error_messages=WHOLE)
    view_angle = forms.IntegerField(label="视角", error_messages=WHOLE)
    view_range = forms.IntegerField(label="可视距离", error_messages=WHOLE)


class CameraForm(ViewForm):
    device_id = text("国标编码", required=True)
    lng = forms.FloatField(error_messages=PLACE)
    lat = forms.FloatField(error_messages=PLACE)
    name = text()
    address = text()
    holder = text()


class PatrolForm(Form):
    seen = text("看到的情况", required=True)
    finding = text()
    category = text()


class PlanForm(Form):
    name = text("计划名称", required=True)
    cameras = text("摄像机", required=True)  # device ids, one per line or separated by commas
    patrollers = text("巡查人员", required=True)  # usernames
    every_days = forms.IntegerField(label="巡查周期", error_messages=WHOLE)

    def split(self, name: str) -> list[str]:
        return [v for v in re.split(r"[\s,，、]+", self.cleaned_data[name]) if v]
