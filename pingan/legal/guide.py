"""The plain-language part of 青小律's answer, before any article: what the question
is about, what the resident can do next and where to go. Written for residents,
from guides.json (data an administrator may extend: a topic, the everyday words
that signal it, a sentence on what it is, the steps, the kinds of institution that
handle it and public hotlines). A question matching no topic gets the service
line's own guidance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pingan.legal import lines


@dataclass(frozen=True)
class Guide:
    topic: str
    about: str
    steps: list[str]
    kinds: list[str]  # institution kinds, in the order to try them
    hotlines: list[tuple[str, str]] = field(default_factory=list)  # (label, number)


# When no topic fits: what each service line means to a resident.
LINE_GUIDES = {
    lines.CONSULTATION: (
        "法律咨询",
        "可以先咨询司法所或公共法律服务中心，工作人员帮您分析该怎么办。",
    ),
    lines.LAWYERS: (
        "请律师、打官司",
        "需要起诉或应诉的，可以找律师事务所；请不起律师可申请法律援助。",
    ),
    lines.APPRAISAL: ("司法鉴定", "伤残等级、亲子关系、笔迹等，要找有资质的司法鉴定机构。"),
    lines.LEGAL_AID: ("法律援助", "经济困难请不起律师的，可以申请法律援助，免费提供律师。"),
    lines.MEDIATION: ("人民调解", "邻里、家庭等民间纠纷，可以申请人民调解，不收费。"),
}
HOTLINE = ("12348 法律服务热线", "12348")


@cache
def topics() -> list[dict]:
    return json.loads((Path(__file__).parent / "guides.json").read_text("utf-8"))


def guide_for(question: str) -> Guide:
    """The topic whose cues the question holds most of (the first on a tie)."""
    best: dict | None = None
    hits = 0
    for entry in topics():
        found = sum(1 for cue in entry["cues"] if cue in question)
        if found > hits:
            best, hits = entry, found
    if best is not None:
        return Guide(
            best["topic"],
            best["about"],
            list(best["steps"]),
            list(best["kinds"]),
            [tuple(h) for h in best["hotlines"]],  # type: ignore[misc]
        )
    line = lines.service_line(question)
    name, step = LINE_GUIDES[line]
    kinds = [str(kind) for kind in lines.INSTITUTIONS[line]]
    return Guide(name, f"这类问题属于「{line}」。", [step], kinds, [HOTLINE])
