"""Text people type, checked once where it comes in. A lone surrogate cannot be
stored as UTF-8, a control character makes an XML feed invalid, markup in a name
ends up in someone else's page, and an unbounded field is echoed into every reply
that lists it."""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Model

from pingan.lib.errors import DomainError


class InvalidText(DomainError):
    pass


# Control characters other than tab and newline, lone surrogates and the two
# code points XML 1.0 never allows.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_MARKUP = re.compile(r"[<>]")


def printable(text: str) -> str:
    """The text without the characters an XML document may not hold, for output of
    rows stored before input was checked."""
    return _FORBIDDEN.sub("", text)


def clean_text(value: object, *, label: str, max_length: int, multiline: bool = False) -> str:
    """The value stripped, or InvalidText naming the field in Chinese."""
    text = unicodedata.normalize("NFC", str(value if value is not None else "")).strip()
    if not multiline:
        text = text.replace("\t", " ")
        if "\n" in text or "\r" in text:
            raise InvalidText(f"{label}不能换行")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _FORBIDDEN.search(text):
        raise InvalidText(f"{label}含有不能识别的字符")
    if len(text) > max_length:
        raise InvalidText(f"{label}最多 {max_length} 个字（现在 {len(text)} 个）")
    return text


def clean_name(value: object, *, label: str, max_length: int = 50) -> str:
    """A name shown on maps and lists: one line, no markup, not empty."""
    name = clean_text(value, label=label, max_length=max_length)
    if not name:
        raise InvalidText(f"{label}不能为空")
    if _MARKUP.search(name):
        raise InvalidText(f"{label}不能含有 < 或 >")
    return name


def column_length(model: type[Model], name: str) -> int:
    """The max_length of a model's text column: the one limit for the column and
    for the check of what goes into it."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    if not isinstance(length, int):
        raise TypeError(f"{model.__name__}.{name} has no max_length")
    return length


def mask_phone(phone: str) -> str:
    """A phone number for lists and pages: the first three and last four digits."""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:] if len(phone) >= 7 else "*" * len(phone)


def mask_name(name: str) -> str:
    """A person's name for pages: the surname and a star for each other character."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def clean_phone(raw: str) -> str | None:
    """The number as stored (spaces taken out), or None when it is not a phone
    number (mobile, 11 digits; or area code and number). The one phone rule."""
    phone = raw.strip().replace(" ", "")
    return phone if PHONE.match(phone) else None
