"""The columns of the registry's spreadsheets, and the templates a clerk fills in.

Kinds: "people" (实有人口 with their households), or the code of any category
definition (流动人口, 出租房, an X category …), whose columns are the subject's key
followed by the definition's own fields. A person's columns after the first seven
are the common block (registry.models.COMMON_BLOCK), labelled as the model labels
them; imports and exports both read them from here."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from django.utils import translation

from pingan.lib import fieldspec
from pingan.lib.sheets import SheetError
from pingan.registry.models import Definition, Person, Subject, common_block

PEOPLE = "people"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    coded: bool = False  # a code of the field's choices, or its label


PEOPLE_COLUMNS = [
    Column("网格编码", "grid"),
    Column("户号", "household"),
    Column("房屋编号", "house"),
    Column("姓名", "name", required=True),
    Column("公民身份号码", "id_number", required=True),
    Column("性别", "gender"),
    Column("联系电话", "phone"),
    *(Column(str(f.verbose_name), f.name, coded=bool(f.choices)) for f in common_block()),
]
COMMON_COLUMNS = PEOPLE_COLUMNS[7:]
SUBJECT_KEYS = {
    Subject.PERSON: "公民身份号码",
    Subject.HOUSEHOLD: "户号",
    Subject.HOUSE: "房屋编号",
    Subject.ORGANISATION: "统一社会信用代码",
    Subject.PLACE: "场所名称",
}
RECORD_COLUMNS = ["风险等级", "开始日期"]


def headers(kind: str) -> list[str]:
    if kind == PEOPLE:
        return [c.header for c in PEOPLE_COLUMNS]
    definition = definition_for(kind)
    labels = [f["label"] for f in definition.fields]
    return [SUBJECT_KEYS[Subject(definition.subject)], *RECORD_COLUMNS, *labels]


def notes(kind: str) -> list[list[str]]:
    """The second sheet of a template: what each coded column accepts."""
    rows = [["列", "说明"]]
    if kind == PEOPLE:
        rows.append(["网格编码", "15位网格编码；可不填，由户号、房屋编号或现住地详址确定网格"])
        rows.append(["户号", "已有的户号；新户号会在该网格新建一户"])
        for f in common_block():
            if f.choices:
                allowed = "、".join(f"{v}={lb}" for v, lb in f.choices)
                rows.append([str(f.verbose_name), f"填代码或名称：{allowed}"])
        return rows
    definition = definition_for(kind)
    rows.append(["风险等级", "低、中、高" + ("（必填）" if definition.visit_days else "")])
    for f in definition.fields:
        kind_label = fieldspec.TYPES[f["type"]]
        if f["type"] == "choice":
            kind_label += "：" + "、".join(f"{c}={lb}" for c, lb in f["choices"])
        rows.append([f["label"], kind_label + ("（必填）" if f["required"] else "")])
    return rows


def example(kind: str) -> list[str]:
    """A filled row for the template, so a clerk sees what each column takes. The
    identity number is a valid one of the test range (birth 1980-01-01, female)."""
    if kind == PEOPLE:
        sample = {
            "姓名": "张桂兰（示例，导入前请删除本行）",
            "公民身份号码": "630203198001010029",
            "性别": "女",
            "联系电话": "13800000000",
            "户号": "H0001",
            "与户主关系": "户主",
            "现住地详址": "三合镇三合社区幸福路8号",
        }
        return [sample.get(header, "") for header in headers(kind)]
    definition = definition_for(kind)
    key = SUBJECT_KEYS[Subject(definition.subject)]
    sample = {key: "（示例）对象的身份证号或编号，导入前请删除本行", "风险等级": "低"}
    for f in definition.fields:
        if f["type"] == "choice" and f["choices"]:
            sample[f["label"]] = f["choices"][0][1]
    return [sample.get(header, "") for header in headers(kind)]


def template_xlsx(kind: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "数据"
    sheet.append(headers(kind))
    sheet.append(example(kind))
    guide = book.create_sheet("说明")
    for row in notes(kind):
        guide.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv(kind: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(headers(kind))
    csv.writer(buffer).writerow(example(kind))
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 only with a BOM


def definition_for(kind: str) -> Definition:
    definition = Definition.objects.filter(code=kind, active=True).first()
    if definition is None:
        raise SheetError(f"未知的导入类别：{kind}")
    return definition


@functools.cache
def code_table(model: type[Model], name: str) -> dict[str, str]:
    """The codes of a coded field by themselves and by their labels in every
    language of the UI: a sheet filled in Chinese is read the same whatever
    language its uploader browses in."""
    field = model._meta.get_field(name)
    choices = getattr(field, "choices", None) or []
    table = {str(code): str(code) for code, _ in choices}
    for language, _ in settings.LANGUAGES:
        with translation.override(language):
            table |= {str(label): str(code) for code, label in choices}
    return table


def person_code_table(name: str) -> dict[str, str]:
    return code_table(Person, name)
