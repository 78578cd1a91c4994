"""Category definitions as data: typed fields, required flags and code lists that an
administrator edits without a code change. Every edit is a new version; a field's
type is frozen once a record holds a value for it; each record keeps the version it
was entered under."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from pingan.accounts.models import User
from pingan.audit.services import journal_write
from pingan.lib.errors import DomainError
from pingan.registry.models import Definition, DefinitionVersion, Record

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


class DefinitionError(DomainError):
    """A definition or a value that breaks the rules; the message is Chinese."""


@dataclass(frozen=True)
class FieldError:
    key: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}：{self.message}"


# ---- values ---------------------------------------------------------------------


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
        except DefinitionError as exc:
            errors.append(FieldError(field["key"], field["label"], str(exc)))
    return values, errors


def _convert(field: dict, given: Any) -> Any:
    kind = field["type"]
    text = given.strip() if isinstance(given, str) else given
    if kind == "text":
        if len(str(text)) > 500:
            raise DefinitionError("不能超过500字")
        return str(text)
    if kind == "integer":
        try:
            number = Decimal(str(text))
        except InvalidOperation:
            raise DefinitionError(f"「{text}」不是整数") from None
        if number != number.to_integral_value():
            raise DefinitionError(f"「{text}」不是整数")
        return int(number)
    if kind == "number":
        try:
            return float(Decimal(str(text)))
        except InvalidOperation:
            raise DefinitionError(f"「{text}」不是数值") from None
    if kind == "date":
        return parse_date(text).isoformat()
    if kind == "boolean":
        return _boolean(text)
    if kind == "choice":
        return _choice(field, str(text))
    raise DefinitionError(f"未知的字段类型 {kind}")


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
        raise DefinitionError(f"「{text}」不是有效日期（如 2026-11-28）") from None


def _boolean(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    word = str(text).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise DefinitionError(f"「{text}」应为 是 或 否")


def _choice(field: dict, text: str) -> str:
    for code, label in field.get("choices", []):
        if text in (code, label):
            return code
    allowed = "、".join(label for _, label in field.get("choices", []))
    raise DefinitionError(f"「{text}」不在代码表中（可选：{allowed}）")


def display(field: dict, value: Any) -> str:
    """A stored value as people read it."""
    if value is None or value == "":
        return ""
    if field["type"] == "boolean":
        return "是" if value else "否"
    if field["type"] == "choice":
        return dict(map(tuple, field.get("choices", []))).get(value, str(value))
    return str(value)


# ---- definitions ------------------------------------------------------------------


def check_fields(fields: list[dict]) -> list[dict]:
    """The field list normalised, or DefinitionError naming what is wrong."""
    if not fields:
        raise DefinitionError("至少要有一个字段")
    seen: set[str] = set()
    cleaned = []
    for number, field in enumerate(fields, start=1):
        key, label = str(field.get("key", "")).strip(), str(field.get("label", "")).strip()
        if not KEY.match(key):
            raise DefinitionError(f"第{number}个字段的标识「{key}」无效：用小写字母、数字和下划线")
        if key in seen:
            raise DefinitionError(f"字段标识「{key}」重复")
        if not label:
            raise DefinitionError(f"字段「{key}」缺少名称")
        kind = field.get("type")
        if kind not in TYPES:
            raise DefinitionError(f"字段「{label}」的类型「{kind}」无效")
        entry = {"key": key, "label": label, "type": kind, "required": bool(field.get("required"))}
        if kind == "choice":
            choices = [[str(c).strip(), str(lb).strip()] for c, lb in field.get("choices", [])]
            if not choices or any(not c or not lb for c, lb in choices):
                raise DefinitionError(f"代码表字段「{label}」需要至少一个「代码=名称」")
            entry["choices"] = choices
        seen.add(key)
        cleaned.append(entry)
    return cleaned


def definition_create(
    *,
    actor: User,
    code: str,
    name: str,
    subject: str,
    fields: list[dict],
    sensitive: bool = False,
    visit_days: dict | None = None,
) -> Definition:
    from pingan.registry.models import Group

    if Definition.objects.filter(code=code).exists():
        raise DefinitionError(f"代码 {code} 已被使用")
    if Definition.objects.filter(name=name).exists():
        raise DefinitionError(f"类别「{name}」已存在")
    fields = check_fields(fields)
    with transaction.atomic():
        definition = Definition.objects.create(
            code=code,
            name=name,
            group=Group.LOCAL,
            subject=subject,
            sensitive=sensitive,
            visit_days=visit_days or {},
            fields=fields,
        )
        DefinitionVersion.objects.create(
            definition=definition, version=1, fields=fields, created_by=actor
        )
        journal_write(
            actor=actor,
            action="definition.create",
            object_type="definition",
            object_id=definition.pk,
            data={"code": code, "name": name, "fields": fields},
        )
    return definition


def definition_update(*, actor: User, definition: Definition, fields: list[dict]) -> Definition:
    """A new version of the fields. Fields may be added, relabelled, made optional or
    required and dropped (old values stay with their records); a field's type may
    change only while no record holds a value for it."""
    fields = check_fields(fields)
    old = {f["key"]: f for f in definition.fields}
    for field in fields:
        before = old.get(field["key"])
        if before and before["type"] != field["type"] and _has_values(definition, field["key"]):
            raise DefinitionError(f"字段「{before['label']}」已有数据，类型不能再改")
    with transaction.atomic():
        locked = Definition.objects.select_for_update().get(pk=definition.pk)
        locked.version += 1
        locked.fields = fields
        locked.save(update_fields=["version", "fields"])
        DefinitionVersion.objects.create(
            definition=locked, version=locked.version, fields=fields, created_by=actor
        )
        journal_write(
            actor=actor,
            action="definition.update",
            object_type="definition",
            object_id=locked.pk,
            data={"version": locked.version, "fields": fields},
        )
    return locked


def _has_values(definition: Definition, key: str) -> bool:
    return Record.objects.filter(definition=definition, values__has_key=key).exists()
