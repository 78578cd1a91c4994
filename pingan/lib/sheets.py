"""Cells for the spreadsheets we hand out. A value that begins with = + - @ (or a tab
or carriage return) is taken for a formula by Excel and WPS, so a name typed as
=HYPERLINK(…) or =cmd|… would run in the reader's office: in .xlsx every text is
written as a string cell (the value stays exactly as typed), in CSV such a value
gets a leading apostrophe, which spreadsheet programs show as text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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
