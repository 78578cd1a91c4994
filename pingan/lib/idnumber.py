"""公民身份号码 (GB 11643): validation, parsing, masking and generation.

Pure functions, no Django. An unknown or abolished area code is never a reason to
reject a number: real cards keep the code of the place where they were issued.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    """The number cannot be a 公民身份号码; the message says why, in Chinese."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    area_code: str
    birth_date: dt.date
    sequence: str

    @property
    def gender(self) -> str:
        return "M" if int(self.sequence[-1]) % 2 else "F"


def check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def parse(raw: str) -> IdNumber:
    number = raw.strip().upper()
    if len(number) == 15 and number.isdigit():
        return IdNumber(number, number[:6], _birth(f"19{number[6:12]}"), number[12:15])
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in CHECK_CHARS:
        raise InvalidIdNumber("身份证号应为18位（最后一位可为X）或15位数字")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号校验位不正确")
    return IdNumber(number, number[:6], _birth(number[6:14]), number[14:17])


def _birth(yyyymmdd: str) -> dt.date:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidIdNumber("身份证号中的出生日期无效") from None
    if born.year < 1880 or born > dt.date.today():
        raise InvalidIdNumber("身份证号中的出生日期无效")
    return born


def mask(number: str) -> str:
    """Keep the area code and the last four characters: enough to tell people apart
    in a list, not enough to use the number."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def generate(area_code: str, birth_date: dt.date, *, male: bool, rng: random.Random) -> str:
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
