"""Chinese number plates (GA 36-2018) as cameras read them: normalised, checked,
told apart by kind, and matched loosely where the camera may have misread the
province. Plate text is never trusted to be a plate: `_无_` and friends mean the
camera saw a car and no plate (无牌车)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import models

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
# What cameras send when they saw a vehicle and read no plate.
UNREAD = {"", "_无_", "无", "无牌", "无牌车", "未识别", "NONE", "NULL"}

_SERIAL = "[A-HJ-NP-Z0-9]"  # digits and letters without I and O
_STRICT = rf"""^(?:
    [{PROVINCES}][A-HJ-Z]
    (?:(?P<ordinary>{_SERIAL}{{5}})
      |(?P<small_nev>[DF]{_SERIAL}[0-9]{{4}})
      |(?P<large_nev>[0-9]{{5}}[DF])
      |(?P<suffixed>{_SERIAL}{{4}}[挂学警领]))
  |(?P<border>粤Z{_SERIAL}{{4}}[港澳])
  |(?P<embassy>使[0-9]{{6}}|[0-9]{{6}}使)
)$"""
STRICT = re.compile(_STRICT, re.VERBOSE)
# Newer issuance widened the small new-energy letter (D A B C E pure electric,
# F G H J K not); no official text was found, so it is a setting.
LENIENT = re.compile(_STRICT.replace("[DF]", "[A-HJK]"), re.VERBOSE)
_DROPPED = str.maketrans("", "", " ·•.-_\u3000")


class Colour(models.IntegerChoices):
    """The 臻识 colorType codes, which the generic format uses too."""

    UNKNOWN = 0, "未知"
    BLUE = 1, "蓝"
    YELLOW = 2, "黄"
    WHITE = 3, "白"
    BLACK = 4, "黑"
    GREEN = 5, "绿"
    YELLOW_GREEN = 6, "黄绿"


class Kind(models.TextChoices):
    ORDINARY = "ordinary", "普通汽车"
    SMALL_NEV = "small_nev", "小型新能源汽车"
    LARGE_NEV = "large_nev", "大型新能源汽车"
    TRAILER = "trailer", "挂车"
    COACH = "coach", "教练汽车"
    POLICE = "police", "警用汽车"
    CONSULATE = "consulate", "领馆汽车"
    EMBASSY = "embassy", "使馆汽车"
    BORDER = "border", "港澳入出境车"
    OTHER = "other", "其他号牌"
    UNPLATED = "unplated", "无牌车"


_SUFFIX_KIND = {"挂": Kind.TRAILER, "学": Kind.COACH, "警": Kind.POLICE, "领": Kind.CONSULATE}
# The colour a kind's plate carries when the camera gives none.
USUAL_COLOUR = {
    Kind.ORDINARY: Colour.BLUE,
    Kind.SMALL_NEV: Colour.GREEN,
    Kind.LARGE_NEV: Colour.YELLOW_GREEN,
    Kind.TRAILER: Colour.YELLOW,
    Kind.COACH: Colour.YELLOW,
    Kind.POLICE: Colour.WHITE,
    Kind.CONSULATE: Colour.BLACK,
    Kind.EMBASSY: Colour.BLACK,
    Kind.BORDER: Colour.BLACK,
}


@dataclass(frozen=True)
class Plate:
    text: str  # normalised; "" when unplated
    raw: str
    kind: str
    valid: bool  # a GA 36 plate; an invalid read is kept and flagged, never dropped

    @property
    def unplated(self) -> bool:
        return self.kind == Kind.UNPLATED

    @property
    def loose(self) -> str:
        return loose_key(self.text)


def normalise(raw: str) -> str:
    """Full-width to ASCII, upper case, no spaces or separators. A three-region
    plate (粤Z…澳|MX7742|ZM127) is known by its mainland part."""
    text = unicodedata.normalize("NFKC", raw or "").upper().split("|")[0]
    return text.translate(_DROPPED)


def read(raw: str, *, lenient: bool = False) -> Plate:
    cleaned = (raw or "").strip()
    if cleaned.upper() in UNREAD or normalise(cleaned) in UNREAD:
        return Plate("", cleaned, Kind.UNPLATED, False)
    text = normalise(cleaned)
    match = (LENIENT if lenient else STRICT).match(text)
    if match is None:
        return Plate(text, cleaned, Kind.OTHER, False)
    return Plate(text, cleaned, _kind(match, text), True)


def _kind(match: re.Match[str], text: str) -> str:
    if match["border"]:
        return Kind.BORDER
    if match["embassy"]:
        return Kind.EMBASSY
    if match["suffixed"]:
        return _SUFFIX_KIND[text[-1]]
    if match["small_nev"]:
        return Kind.SMALL_NEV
    if match["large_nev"]:
        return Kind.LARGE_NEV
    return Kind.ORDINARY


def loose_key(text: str) -> str:
    """The plate without its province character, for matching a read whose
    Chinese character the camera got wrong (the most common misread)."""
    return text[1:] if text and text[0] in PROVINCES else text


def colour_of(code: int | None, plate: Plate) -> int:
    """The camera's colour, or the usual one of the plate's kind when it gave none."""
    if code in Colour.values and code != Colour.UNKNOWN:
        return int(code)
    return int(USUAL_COLOUR.get(Kind(plate.kind), Colour.UNKNOWN))


def masked(text: str) -> str:
    """For pages that show a plate to someone who may not see plates: 青B***45."""
    if len(text) < 5:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]
