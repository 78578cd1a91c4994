"""Cells for the spreadsheets we hand out. A value that begins with = + - @ (or a tab
or carriage return) is taken for a formula by Excel and WPS, so a name typed as
=HYPERLINK(…) or =cmd|… would run in the reader's office: in .xlsx every text is
written as a string cell (the value stays exactly as typed), in CSV such a value
gets a leading apostrophe, which spreadsheet programs show as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from pingan.lib.errors import DomainError


class SheetError(DomainError):
    """An uploaded file that cannot be read as a table; the message is Chinese."""


@dataclass
class RowError:
    """One problem of one row of an import, as the page and the error file list it."""

    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


Fail = Callable[[str, str], None]  # a row's problem reported: the column, the message


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """The row for `sheet.append`: texts as string cells, numbers as numbers."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would make "=…" a formula
            row.append(cell)
        else:
            row.append(value)
    return row


# ---- reading what people upload -----------------------------------------------------


@dataclass
class Table:
    """The rows of an uploaded file as read, cells converted to text only when a
    row is checked (in whichever process checks it)."""

    header: list[str]
    rows: list[list[Any]]

    def cells(self, index: int) -> dict[str, str]:
        row = self.rows[index]
        return {
            name: _cell_text(row[i]).strip() if i < len(row) else ""
            for i, name in enumerate(self.header)
        }

    def column(self, name: str) -> list[str]:
        if name not in self.header:
            return [""] * len(self.rows)
        i = self.header.index(name)
        return [_cell_text(row[i]).strip() if i < len(row) else "" for row in self.rows]


def read_rows(path: Path, *, max_rows: int = 300_000) -> Table:
    """Header and data rows of an .xlsx/.xls or .csv file (CSV in UTF-8 or GBK)."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xls", ".xlsm"}:
        rows = _read_workbook(path)
    elif suffix == ".csv":
        rows = _read_csv(path)
    else:
        raise SheetError("只支持 .xlsx、.xls 和 .csv 文件")
    rows = [row for row in rows if any(_filled(cell) for cell in row)]
    if not rows:
        raise SheetError("文件是空的")
    if len(rows) - 1 > max_rows:
        raise SheetError(f"一个文件最多 {max_rows} 行，请拆分后导入")
    return Table([_cell_text(cell).strip() for cell in rows[0]], rows[1:])


def _filled(cell: Any) -> bool:
    return bool(cell.strip()) if isinstance(cell, str) else cell is not None


def _read_workbook(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for broken files
        raise SheetError(f"无法读取表格文件：{exc}") from None


def _cell_text(cell: Any) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # 13912345678.0 as typed, not in float form
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError("无法识别文件编码，请另存为 UTF-8 的 CSV")
    return list(csv.reader(io.StringIO(text)))


# ---- writing --------------------------------------------------------------------

# What a sheet is sent as, by the formats every download offers.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[list[str]]) -> Iterator[str]:
    """CSV lines one by one, for a StreamingHttpResponse that never times out."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(csv_row(row))


def xlsx_file(rows: Iterable[list[str]], target: io.BufferedIOBase) -> None:
    """An .xlsx written row by row (openpyxl's write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    book.save(target)
