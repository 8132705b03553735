"""CSV: the 单选题 sheet's columns plus 题型 (单选/多选/判断), one item per row.

UTF-8 with or without BOM, UTF-16 with BOM, or GB18030 (what Chinese Excel saves as
"CSV (逗号分隔)"). Row numbers count records as Excel shows them: the header is row 1.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem
from examsys.core.spreadsheets import read_csv_records

from .base import MULTIPLE, SINGLE, TRUE_FALSE, Location, ParsedBank
from .common import Row, header_key, option_columns, read_item

QTYPES = {
    "单选": SINGLE,
    "单选题": SINGLE,
    "多选": MULTIPLE,
    "多选题": MULTIPLE,
    "判断": TRUE_FALSE,
    "判断题": TRUE_FALSE,
}
REQUIRED = ("题型", "题干", "答案")


def _header(records: list[list[str]], problems: list[Problem]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, value in enumerate(records[0]):
        key = header_key(value)
        if key in columns:
            problems.append(Problem(_l("表头「%(column)s」出现了不止一次", column=key), row=1, column=key))
        elif key:
            columns[key] = index
    missing = [h for h in REQUIRED if h not in columns]
    for header in missing:
        problems.append(Problem(_l("缺少「%(column)s」列", column=header), row=1, column=header))
    return None if missing else columns


def parse(data: bytes, filename: str = "") -> ParsedBank:
    """Items from a CSV file, and every problem found in it."""
    bank = ParsedBank()
    records = read_csv_records(data, bank.problems)
    if records is None:
        return bank
    if not any(any(v.strip() for v in record) for record in records):
        bank.problems.append(Problem(_l("文件是空的")))
        return bank
    columns = _header(records, bank.problems)
    if columns is None:
        return bank
    numbers: dict[str, int] = {}
    for number, record in enumerate(records[1:], start=2):
        cells = {h: record[i] for h, i in columns.items() if i < len(record)}
        if not any(v.strip() for h, v in cells.items() if h != "序号"):
            continue
        row = Row(cells, Location(row=number), bank.problems)
        item = _read_row(row, numbers)
        if item is not None:
            bank.items.append(item)
    if not bank.items and not bank.problems:
        bank.problems.append(Problem(_l("文件中没有试题")))
    return bank


def _read_row(row: Row, numbers: dict[str, int]):
    number = row.text("序号")
    if number in numbers:
        row.report(_l("序号 %(number)s 与第 %(row)d 行重复", number=number, row=numbers[number]), "序号")
    elif number:
        numbers[number] = row.location.row
    kind = row.required("题型")
    qtype = QTYPES.get(kind)
    if kind and qtype is None:
        row.report(_l("「题型」应为 单选、多选 或 判断，现为「%(value)s」", value=kind), "题型")
    if qtype is None:
        return None
    if qtype != TRUE_FALSE and not option_columns(row.cells):
        row.report(_l("缺少「选项A」「选项B」等选项列"), "选项A")
        return None
    return read_item(row, qtype)
