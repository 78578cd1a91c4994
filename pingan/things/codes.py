"""The 16-digit part code: county (GB/T 2260, 6) + major class (2) + minor class (2)
+ serial (6). Codes are strings (leading zeros matter) and are never reused: a
removed part keeps its code and changes state; a new part takes the next serial
of its county and class, given by a conditional update so two clerks never get
the same one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from pingan.lib.errors import DomainError
from pingan.things.models import PartSerial

PART_CODE = re.compile(r"^([0-9]{6})(0[1-9])([0-9]{2})([0-9]{6})$")
SERIAL_MAX = 999_999


class PartCodeError(DomainError):
    pass


@dataclass(frozen=True)
class PartCode:
    county: str
    major: str
    minor: str
    serial: int

    @property
    def class_code(self) -> str:
        return self.major + self.minor

    def __str__(self) -> str:
        return f"{self.county}{self.class_code}{self.serial:06d}"


def parse(code: str) -> PartCode:
    """The parts of a code, or PartCodeError saying what is wrong with it."""
    found = PART_CODE.match(code.strip())
    if found is None:
        raise PartCodeError(
            f"部件编码「{code}」应为16位数字：县级代码6位+大类2位+小类2位+流水号6位"
        )
    county, major, minor, serial = found.groups()
    if int(serial) == 0:
        raise PartCodeError(f"部件编码「{code}」的流水号不能为000000")
    return PartCode(county, major, minor, int(serial))


def next_codes(county: str, class_code: str, count: int = 1) -> list[str]:
    """`count` new codes of the county and class, in order."""
    with transaction.atomic():
        PartSerial.objects.get_or_create(county=county, class_code=class_code)
        mine = PartSerial.objects.filter(county=county, class_code=class_code)
        mine.update(last=F("last") + count)
        last = mine.values_list("last", flat=True).get()
    if last > SERIAL_MAX:
        raise PartCodeError(f"{county}的{class_code}类部件流水号已用完")
    return [f"{county}{class_code}{serial:06d}" for serial in range(last - count + 1, last + 1)]


def taken(code: PartCode) -> None:
    """A code given from outside (an import of surveyed parts): the serials after
    it are the next ones given, so no new part can ever take it."""
    PartSerial.objects.get_or_create(county=code.county, class_code=code.class_code)
    PartSerial.objects.filter(
        county=code.county, class_code=code.class_code, last__lt=code.serial
    ).update(last=code.serial)
