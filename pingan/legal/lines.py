"""Which of the five public legal service lines a question needs, so the resident
can be pointed to the right counter: 法律咨询 unless the question says otherwise."""

from __future__ import annotations

CONSULTATION = "法律咨询"
# Checked in order: the first line whose cue appears wins.
CUES: list[tuple[str, tuple[str, ...]]] = [
    ("法律援助", ("法律援助", "请不起律师", "没钱请律师", "免费律师", "困难群众", "低保", "援助")),
    ("司法鉴定", ("鉴定", "伤残等级", "亲子关系", "笔迹", "精神病", "评残", "伤情")),
    (
        "人民调解",
        ("调解", "邻居", "邻里", "宅基地", "家庭矛盾", "婆媳", "纠纷怎么解决", "私了", "和解"),
    ),
    ("律师事务", ("律师", "起诉", "打官司", "代理", "诉讼", "上诉", "辩护", "法院")),
]


def service_line(question: str) -> str:
    for line, cues in CUES:
        if any(cue in question for cue in cues):
            return line
    return CONSULTATION
