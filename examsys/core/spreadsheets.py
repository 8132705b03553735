"""Reading and writing the spreadsheets people bring: xlsx workbooks and CSV in any Chinese encoding.

Shared by every import (question banks, rosters, certificates). Readers never raise on bad
files: they append a Chinese :class:`~examsys.core.errors.Problem` and return None.
"""

from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from examsys.core.errors import Problem

OLD_EXCEL = b"\xd0\xcf\x11\xe0"  # the OLE header of .xls files
DELIMITERS = (",", "\t", ";")


def decode_text(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030; None when undecodable."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    return max(DELIMITERS, key=first_line.count)


def read_csv_records(data: bytes, problems: list[Problem]) -> list[list[str]] | None:
    """All rows of a CSV file (delimiter sniffed from the first line), or None with a problem."""
    text = decode_text(data)
    if text is None:
        problems.append(Problem(_l("无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV 文件")))
        return None
    if "\x00" in text:
        problems.append(Problem(_l("不是有效的 CSV 文本文件")))
        return None
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    except csv.Error as exc:
        problems.append(Problem(_l("不是有效的 CSV 文件：%(error)s", error=str(exc))))
        return None


def open_workbook(data: bytes, problems: list[Problem]):
    """A read-only, values-only openpyxl workbook, or None with a problem (old .xls, not a workbook)."""
    if data.startswith(OLD_EXCEL):
        problems.append(Problem(_l("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入")))
        return None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (BadZipFile, KeyError, ValueError…) on bad files
        problems.append(
            Problem(_l("不是有效的 Excel 工作簿（.xlsx）文件：%(error)s", error=str(exc) or type(exc).__name__))
        )
    return None


README_SHEET = "说明"  # the instructions sheet of every import template


def write_guide(workbook, title: str, rows, widths: tuple[int, int, int]) -> None:
    """The instructions sheet of an import template: a title, a header row, wrapped explanations."""
    sheet = workbook.active
    sheet.title = README_SHEET
    sheet.append((title,))
    sheet["A1"].font = Font(bold=True, size=14)
    for row in rows:
        sheet.append(row)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABC", widths, strict=True):
        sheet.column_dimensions[letter].width = width


def add_choice(sheet: Worksheet, columns: tuple[str, ...], column: str, values: str, warn: str = "") -> None:
    """A drop-down list of ``values`` (comma-separated) on ``column`` below the header row."""
    letter = get_column_letter(columns.index(column) + 1)
    validation = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True, showErrorMessage=True)
    if warn:
        validation.errorStyle, validation.error = "warning", warn
    sheet.add_data_validation(validation)
    validation.add(f"{letter}2:{letter}1048576")
