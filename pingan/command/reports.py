"""The weekly and monthly report of an area, like the seed's own summary: events
reported (by category, source and township), the grid workers' inspections, work
records and video checks, the 9+X totals and the month's assessment. The same
figures make the printable page and the .xlsx workbook."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook

from pingan.accounts.models import User
from pingan.command import assessment, overview
from pingan.command.indicators import INDICATORS
from pingan.fieldwork import stats as fieldwork_stats
from pingan.lib.sheets import xlsx_row

PERIODS = {"week": "周报", "month": "月报"}

# The areas the report compares, by the level below the reader's: 乡镇街道 for a
# district, 村社区 for a township, 网格 for a village.
AREA_SHEETS = {
    "city": "市州",
    "district": "区县",
    "township": "乡镇街道",
    "village": "村社区",
    "grid": "网格",
}


@dataclass
class Report:
    title: str
    period: str
    data: dict
    fieldwork: list[fieldwork_stats.Row]
    ranking: list[assessment.Row]
    whole: assessment.Row


def report(user: User, *, period: str, area: str) -> Report:
    if period not in PERIODS:
        raise assessment.AssessmentError(f"未知的报告周期：{period}")
    data = overview.overview(user, period=period)
    rows = fieldwork_stats.fieldwork_stats(
        user, start=data["start"], end=data["end"], by="township"
    )
    start, end = assessment.month_bounds(timezone.localdate().strftime("%Y-%m"))
    ranking, whole = assessment.assess(user, start=start, end=end, by="township")
    span = f"{data['start']:%Y年%m月%d日}—{data['end']:%m月%d日}"
    title = f"{area}社会治理工作{PERIODS[period]}（{span}）"
    return Report(title, period, data, rows, ranking, whole)


def workbook(made: Report) -> bytes:
    """The report as .xlsx: one sheet per table, headers in Chinese."""
    book = Workbook(write_only=True)
    summary = book.create_sheet("概况")
    summary.append(xlsx_row(summary, [made.title]))
    for label, key in [
        ("上报事件", "reported"),
        ("在办事件", "open"),
        ("超期事件", "overdue"),
        ("督办中", "supervised"),
        ("结案", "closed"),
    ]:
        summary.append(xlsx_row(summary, [label, made.data[key]]))
    for name, key in [
        ("事件类别", "by_category"),
        ("事件来源", "by_channel"),
        (AREA_SHEETS[made.data["area_level"]], "by_area"),
    ]:
        sheet = book.create_sheet(name)
        sheet.append(xlsx_row(sheet, ["名称", "件数"]))
        for row in made.data[key]:
            sheet.append(xlsx_row(sheet, [row["name"], row["value"]]))
    work = book.create_sheet("网格员工作")
    work.append(xlsx_row(work, ["乡镇/街道", *fieldwork_stats.MEASURE_LABELS.values()]))
    for row in made.fieldwork:
        work.append(
            xlsx_row(work, [row.label, *(row.counts[k] for k in fieldwork_stats.MEASURE_LABELS)])
        )
    work.append(xlsx_row(work, ["合计", *fieldwork_stats.totals(made.fieldwork).values()]))
    registry = book.create_sheet("基础数据")
    registry.append(xlsx_row(registry, ["类别", "数量"]))
    for row in made.data["registry"]:
        registry.append(xlsx_row(registry, [row["name"], row["value"]]))
    ranking = book.create_sheet("本月考核")
    ranking.append(xlsx_row(ranking, ["名次", "乡镇/街道", "得分", *(i.label for i in INDICATORS)]))
    for row in [*made.ranking, made.whole]:
        figures = (_cell(row.figures[i.code], i) for i in INDICATORS)
        ranking.append(xlsx_row(ranking, [row.rank, row.label, row.score, *figures]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(figure, indicator) -> float | int | None:
    """A rate in per cent, or the count itself for 上报数."""
    if indicator.count_only:
        return figure.hits
    return round(100 * figure.rate, 1) if figure.rate is not None else None
