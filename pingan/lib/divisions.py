"""Region codes: 12-digit statistical codes for 省/市/区县/乡镇/村, 15-digit grid codes.

District 630203000000, township 630203102000, village 630203102200, grid
630203102200001. A node's path segment is the significant prefix of its code, so
the materialised path reads 630203/630203102/630203102200/630203102200001/ and
"everything under a node" is a prefix match on that string.

A province (630000000000) or a city (630200000000) above the districts, for an
installation that serves one, sits above the path: its path is its significant
prefix alone, "63" or "6302", with no slash. A prefix match still finds every
district under it (GB/T 2260 codes nest), and no district's path, nor any row
that copied one, changes when a city is put above it.
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    TOWNSHIP = "township"
    VILLAGE = "village"
    GRID = "grid"


# The levels of the path, from its root; ABOVE_PATH sit above it (see the top).
LEVEL_ORDER = (Level.DISTRICT, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
ABOVE_PATH = (Level.PROVINCE, Level.CITY)
TREE_ORDER = ABOVE_PATH + LEVEL_ORDER
SEGMENT_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.DISTRICT: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
    Level.GRID: 15,
}
CODE_LENGTH = {level: 15 if level is Level.GRID else 12 for level in TREE_ORDER}
LABELS = {
    Level.PROVINCE: "省",
    Level.CITY: "市（州）",
    Level.DISTRICT: "区县",
    Level.TOWNSHIP: "乡镇/街道",
    Level.VILLAGE: "村/社区",
    Level.GRID: "网格",
}


class InvalidCode(ValueError):
    """A code that does not fit its level or its parent; the message is Chinese."""


def child_level(level: Level) -> Level | None:
    index = TREE_ORDER.index(level)
    return TREE_ORDER[index + 1] if index + 1 < len(TREE_ORDER) else None


def level_of_path(path: str) -> Level:
    """The level of the node whose path this is."""
    if "/" not in path:
        return Level.PROVINCE if len(path) == SEGMENT_LENGTH[Level.PROVINCE] else Level.CITY
    return LEVEL_ORDER[path.count("/") - 1]


def segment(level: Level, code: str) -> str:
    return code[: SEGMENT_LENGTH[level]]


def full_code(level: Level, significant: str) -> str:
    """Pad a 6- or 9-digit division code to the 12-digit statistical form."""
    return significant.ljust(CODE_LENGTH[level], "0")


def validate(
    level: Level, code: str, parent_code: str | None, parent_level: Level | None = None
) -> None:
    """`parent_level`: the parent's level when it is not the one right above
    (a district directly under its province, 省直辖县级行政单位)."""
    length = CODE_LENGTH[level]
    if len(code) != length or not code.isdigit():
        raise InvalidCode(f"{LABELS[level]}代码应为{length}位数字：{code!r}")
    seg = segment(level, code)
    if code[len(seg) :].strip("0"):
        raise InvalidCode(f"{LABELS[level]}代码 {code} 的末尾应为0")
    if level is Level.PROVINCE:
        if seg == "00":
            raise InvalidCode(f"省级代码 {code} 的序号不能为0")
        return
    if level in (Level.CITY, Level.DISTRICT) and seg[-2:] == "00":
        raise InvalidCode(f"{LABELS[level]}代码 {code} 不是{LABELS[level]}级代码")
    if level in (Level.CITY, Level.DISTRICT) and parent_code is None:
        return  # the root of an installation
    if parent_code is None:
        raise InvalidCode(f"{LABELS[level]} {code} 必须有上级节点")
    parent_level = parent_level or TREE_ORDER[TREE_ORDER.index(level) - 1]
    parent_seg = segment(parent_level, parent_code)
    if not seg.startswith(parent_seg):
        raise InvalidCode(f"{LABELS[level]}代码 {code} 不在上级 {parent_code} 之下")
    if seg[len(parent_seg) :].strip("0") == "":
        raise InvalidCode(f"{LABELS[level]}代码 {code} 的本级序号不能为0")
    if level is Level.TOWNSHIP and not _township_kind(seg[6:9]):
        raise InvalidCode(f"乡镇代码 {code} 的序号应在001–399之间")


def _township_kind(number: str) -> str:
    """001–099 街道, 100–199 镇, 200–399 乡 (统计用区划代码)."""
    value = int(number)
    if 1 <= value <= 99:
        return "街道"
    if 100 <= value <= 199:
        return "镇"
    if 200 <= value <= 399:
        return "乡"
    return ""


PATH_DEPTH = {level: depth for depth, level in enumerate(LEVEL_ORDER, start=1)}
# Every segment has a fixed length, so the path of a node at each level has one too:
# PATH_LENGTH[Level.TOWNSHIP] == len("630203/630203102/").
PATH_LENGTH = {
    level: sum(SEGMENT_LENGTH[above] + 1 for above in LEVEL_ORDER[: PATH_DEPTH[level]])
    for level in LEVEL_ORDER
}


def code_path(code: str, level: Level) -> str:
    """The path of the node with `code` at `level`: code_path("630203102000",
    Level.TOWNSHIP) is "630203/630203102/"."""
    return "".join(segment(above, code) + "/" for above in LEVEL_ORDER[: PATH_DEPTH[level]])


def ancestor_path(path: str, level: Level) -> str:
    """The path of the node at `level` above (or at) the node with `path`:
    ancestor_path("630203/630203102/630203102200/", Level.TOWNSHIP) is
    "630203/630203102/"."""
    segments = path.strip("/").split("/")[: PATH_DEPTH[level]]
    return "/".join(segments) + "/"


def ancestor_paths(path: str) -> list[str]:
    """The paths of every node from the province down to the node itself:
    ancestor_paths("630203/630203102/") is ["63", "6302", "630203/",
    "630203/630203102/"] (a province and a city the installation may not have)."""
    above = [path[:n] for n in (SEGMENT_LENGTH[lvl] for lvl in ABOVE_PATH) if n <= len(path)]
    if "/" not in path:
        return above
    segments = path.strip("/").split("/")
    return above + ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]
