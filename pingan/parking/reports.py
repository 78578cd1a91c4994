"""The parking report: the CDS figures (metrics.py) of each road, lot or township
for a day or a month, on a page and as a workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook

from pingan.accounts.models import User
from pingan.lib.sheets import xlsx_row
from pingan.parking import metrics, selectors
from pingan.regions.models import Region

COLUMNS = [
    "名称",
    "泊位",
    "停车次数",
    "周转率（次/泊位/日）",
    "平均停放（分钟）",
    "占用率%",
    "收入（元）",
    "欠费率%",
    "高峰时段",
]


@dataclass(frozen=True)
class Asked:
    group: str  # place, road, township
    start: dt.date
    end: dt.date  # exclusive

    @property
    def span(self) -> tuple[dt.datetime, dt.datetime]:
        return (
            timezone.make_aware(dt.datetime.combine(self.start, dt.time.min)),
            timezone.make_aware(dt.datetime.combine(self.end, dt.time.min)),
        )


@dataclass(frozen=True)
class Table:
    asked: Asked
    rows: list[tuple[str, metrics.Figures]]
    whole: metrics.Figures


def table(user: User, asked: Asked) -> Table:
    places = list(selectors.places_for(user))
    if asked.group == "road":
        groups = metrics.by_road(places)
    elif asked.group == "township":
        paths = {"/".join(p.region_path.split("/")[:2]) + "/" for p in places}
        names = dict(Region.objects.filter(path__in=paths).values_list("path", "name"))
        groups = metrics.by_township(places, names)
    else:
        groups = metrics.by_place(places)
    start, end = asked.span
    figures = metrics.figures(groups, start, end)
    rows = [(key, figures[key]) for key in sorted(figures, key=lambda k: figures[k].label)]
    return Table(asked, rows, total(figures.values()))


def total(parts: Iterable[metrics.Figures]) -> metrics.Figures:
    """The figures of several groups together (sums; rates follow from them)."""
    whole = metrics.Figures("合计", 0)
    for part in parts:
        whole.spaces += part.spaces
        whole.sessions += part.sessions
        whole.dwell_minutes += part.dwell_minutes
        whole.dwelled += part.dwelled
        whole.occupied_seconds += part.occupied_seconds
        whole.period_seconds = part.period_seconds
        whole.revenue_fen += part.revenue_fen
        whole.charged += part.charged
        whole.arrears += part.arrears
        whole.hour_spans = part.hour_spans
        whole.by_hour_seconds = [
            a + b for a, b in zip(whole.by_hour_seconds, part.by_hour_seconds, strict=True)
        ]
    return whole


def row(figures: metrics.Figures) -> list[object]:
    return [
        figures.label,
        figures.spaces,
        figures.sessions,
        figures.turnover,
        figures.average_dwell if figures.average_dwell is not None else "",
        figures.occupancy,
        round(figures.revenue_fen / 100, 2),
        figures.arrears_rate,
        "、".join(f"{h}时" for h in figures.peak_hours),
    ]


def workbook(made: Table) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("慧停车")
    sheet.append(
        xlsx_row(sheet, [f"慧停车 {made.asked.start}—{made.asked.end - dt.timedelta(days=1)}"])
    )
    sheet.append(xlsx_row(sheet, COLUMNS))
    for _, figures in made.rows:
        sheet.append(xlsx_row(sheet, row(figures)))
    sheet.append(xlsx_row(sheet, row(made.whole)))
    hours = book.create_sheet("分时占用率")
    hours.append(xlsx_row(hours, ["名称", *(f"{h}时" for h in range(24))]))
    for _, figures in [*made.rows, ("", made.whole)]:
        hours.append(xlsx_row(hours, [figures.label, *figures.by_hour]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
