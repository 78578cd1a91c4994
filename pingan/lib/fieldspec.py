"""Fields an administrator defines as data: their kinds, how a value typed in a
form or a spreadsheet is read (是/否, a choice's code or its label, dates as people
write them), and how a stored value is shown. The registry's X categories and the
部件 classes both carry fields of these kinds."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pingan.lib.errors import DomainError

TYPES = {
    "text": "文本",
    "integer": "整数",
    "number": "数值",
    "date": "日期",
    "boolean": "是/否",
    "choice": "代码表",
}
KEY = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TRUE_WORDS = {"是", "有", "true", "1", "y", "yes"}
FALSE_WORDS = {"否", "无", "false", "0", "n", "no"}


class SpecError(DomainError):
    """A field list or a value that breaks the rules; the message is Chinese."""


@dataclass(frozen=True)
class FieldError:
    key: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


def clean_values(fields: list[dict], raw: dict[str, Any]) -> tuple[dict, list[FieldError]]:
    """Values converted to their field's type, and every problem found. Accepts what
    people type in a form or a spreadsheet: 是/否, a choice's code or its label."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for field in fields:
        given = raw.get(field["key"], raw.get(field["label"]))
        if given is None or (isinstance(given, str) and not given.strip()):
            if field.get("required"):
                errors.append(FieldError(field["key"], field["label"], "必填"))
            continue
        try:
            values[field["key"]] = _convert(field, given)
        except SpecError as exc:
            errors.append(FieldError(field["key"], field["label"], str(exc)))
    return values, errors


def _convert(field: dict, given: Any) -> Any:
    kind = field["type"]
    text = given.strip() if isinstance(given, str) else given
    if kind == "text":
        if len(str(text)) > 500:
            raise SpecError("不能超过500字")
        return str(text)
    if kind == "integer":
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise SpecError(f"「{text}」不是整数") from None
        if number != number.to_integral_value():
            raise SpecError(f"「{text}」不是整数")
        return int(number)
    if kind == "number":
        try:
            return float(Decimal(str(text)))
        except InvalidOperation:
            raise SpecError(f"「{text}」不是数值") from None
    if kind == "date":
        return parse_date(text).isoformat()
    if kind == "boolean":
        return _boolean(text)
    if kind == "choice":
        return _choice(field, str(text))
    raise SpecError(f"未知的字段类型 {kind}")


def parse_date(text: Any) -> dt.date:
    """A date as people write it: 2026-11-28, 2026/11/28, 2026.11.28, 2026年11月28日."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    cleaned = str(text).replace("/", "-").replace(".", "-").replace("年", "-")
    cleaned = cleaned.replace("月", "-").removesuffix("日")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in cleaned.split("-")))
    except ValueError:
        raise SpecError(f"「{text}」不是有效日期（如 2026-11-28）") from None


def _boolean(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SpecError(f"「{text}」应为 是 或 否")


def _choice(field: dict, text: str) -> str:
    for code, label in field.get("choices", []):
        if text in (code, label):
            return str(code)
    allowed = "、".join(label for _, label in field.get("choices", []))
    raise SpecError(f"「{text}」不在代码表中（可选：{allowed}）")


def display(field: dict, value: Any) -> str:
    """A stored value as people read it."""
    if value is None or value == "":
        return ""
    if field["type"] == "boolean":
        return "是" if value else "否"
    if field["type"] == "choice":
        labels = {str(code): str(label) for code, label in field.get("choices", [])}
        return labels.get(str(value), str(value))
    return str(value)


def check_fields(fields: list[dict]) -> list[dict]:
    """The field list normalised, or SpecError naming what is wrong."""
    if not fields:
        raise SpecError("至少要有一个字段")
    seen: set[str] = set()
    cleaned = []
    for number, field in enumerate(fields, start=1):
        key, label = str(field.get("key", "")).strip(), str(field.get("label", "")).strip()
        if not KEY.match(key):
            raise SpecError(f"第{number}个字段的标识「{key}」无效：用小写字母、数字和下划线")
        if key in seen:
            raise SpecError(f"字段标识「{key}」重复")
        if not label:
            raise SpecError(f"字段「{key}」缺少名称")
        kind = field.get("type")
        if kind not in TYPES:
            raise SpecError(f"字段「{label}」的类型「{kind}」无效")
        entry = {"key": key, "label": label, "type": kind, "required": bool(field.get("required"))}
        if kind == "choice":
            choices = [[str(c).strip(), str(lb).strip()] for c, lb in field.get("choices", [])]
            if not choices or any(not c or not lb for c, lb in choices):
                raise SpecError(f"代码表字段「{label}」需要至少一个「代码=名称」")
            entry["choices"] = choices
        seen.add(key)
        cleaned.append(entry)
    return cleaned
