"""Which of the five public legal service lines a question needs, so the resident
can be pointed to the right counter: 法律咨询 unless the question says otherwise;
and which institutions of the directory serve each line."""

from __future__ import annotations

from pingan.legal.models import InstitutionKind

CONSULTATION = "法律咨询"
LAWYERS = "律师事务"
APPRAISAL = "司法鉴定"
LEGAL_AID = "法律援助"
MEDIATION = "人民调解"
# Checked in order: the first line whose cue appears wins.
CUES: list[tuple[str, tuple[str, ...]]] = [
    (LEGAL_AID, ("法律援助", "请不起律师", "没钱请律师", "免费律师", "困难群众", "低保", "援助")),
    (APPRAISAL, ("鉴定", "伤残等级", "亲子关系", "笔迹", "精神病", "评残", "伤情")),
    (
        MEDIATION,
        ("调解", "邻居", "邻里", "宅基地", "家庭矛盾", "婆媳", "纠纷怎么解决", "私了", "和解"),
    ),
    (LAWYERS, ("律师", "起诉", "打官司", "代理", "诉讼", "上诉", "辩护", "法院")),
]
K = InstitutionKind
# Where each line is served, nearest first: a township's own office before the
# district's centre.
INSTITUTIONS: dict[str, tuple[str, ...]] = {
    CONSULTATION: (K.JUSTICE_OFFICE, K.SERVICE_CENTRE),
    LAWYERS: (K.LAW_FIRM, K.SERVICE_CENTRE),
    APPRAISAL: (K.APPRAISAL,),
    LEGAL_AID: (K.LEGAL_AID, K.JUSTICE_OFFICE),
    MEDIATION: (K.MEDIATION, K.JUSTICE_OFFICE),
}


def service_line(question: str) -> str:
    for line, cues in CUES:
        if any(cue in question for cue in cues):
            return line
    return CONSULTATION
