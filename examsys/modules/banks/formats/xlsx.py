"""The project workbook (question_banks/FORMAT.md): elements, items, practical tasks, marking.

:func:`parse` reads the workbook in openpyxl's read-only, values-only mode and checks every
rule that can be checked within the file, collecting every problem with its sheet, Excel
row number and column header. :func:`write_workbook` (from :mod:`.xlsx_template`) writes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem
from examsys.core.spreadsheets import open_workbook

from .base import SKILL, THEORY, TRUE_FALSE, Location, ParsedBank, ParsedElement
from .common import LETTERS, OPTION_HEADER, Row, cell_text, check_element, header_key, read_item
from .xlsx_tasks import read_tasks
from .xlsx_template import (
    ELEMENT_CODE,
    ELEMENT_COLUMNS,
    ELEMENTS,
    ITEM_SHEETS,
    ITEM_TAIL,
    MARKING,
    TASKS,
    TRUE_FALSE_COLUMNS,
    WEIGHT,
    write_workbook,
)

__all__ = ["parse", "write_workbook"]

HEADER_SEARCH_ROWS = 10
CATEGORIES = {"理论知识": THEORY, "理论": THEORY, "技能要求": SKILL, "技能": SKILL, "技能操作": SKILL}
IMPORTANCE_WORDS = {"X": "X", "Y": "Y", "Z": "Z", "核心": "X", "一般": "Y", "辅助": "Z"}
_OPTION = re.compile(rf"^{OPTION_HEADER}[A-Z]$")


class Sheets:
    """The workbook's sheets by name, read as header-keyed rows; problems collected."""

    def __init__(self, workbook, problems: list[Problem]):
        self.by_name = {header_key(name): workbook[name] for name in workbook.sheetnames}
        self.problems = problems
        self.refused: set[str] = set()  # sheets not read for a missing required header

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def rows(self, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Iterator[Row]:
        """The sheet's non-empty data rows; nothing when the sheet or a required header is missing."""
        sheet = self.by_name.get(name)
        if sheet is None:
            return
        sheet.reset_dimensions()  # some writers record a wrong used range
        rows = sheet.iter_rows(values_only=True)
        found = self._header(name, rows, set(required) | set(optional))
        columns, header_row = found or ({}, 0)
        missing = [h for h in required if h not in columns]
        for header in missing:
            self.problems.append(Problem(_l("缺少「%(column)s」列", column=header), sheet=name, column=header))
        if missing:
            self.refused.add(name)
            return
        indexed = list(columns.items())
        for number, values in enumerate(rows, start=header_row + 1):
            cells = {h: values[i] for h, i in indexed if i < len(values)}
            if any(cell_text(v) for h, v in cells.items() if h != "序号"):
                yield Row(cells, Location(sheet=name, row=number), self.problems)

    def _header(self, name: str, rows, known: set[str]) -> tuple[dict[str, int], int] | None:
        for number, values in enumerate(rows, start=1):
            keys = [header_key(v) for v in values]
            if any(k in known or _OPTION.match(k) for k in keys):
                return self._columns(name, number, keys, known), number
            if number >= HEADER_SEARCH_ROWS:
                break
        return None

    def _columns(self, name: str, number: int, keys: list[str], known: set[str]) -> dict[str, int]:
        columns: dict[str, int] = {}
        for index, key in enumerate(keys):
            if not (key in known or _OPTION.match(key)):
                continue
            if key in columns:
                where = Location(sheet=name, row=number)
                self.problems.append(where.problem(_l("表头「%(column)s」出现了不止一次", column=key), key))
                continue
            columns[key] = index
        return columns


def parse(data: bytes, filename: str = "") -> ParsedBank:
    """The workbook's elements, items and tasks, and every problem found in it."""
    bank = ParsedBank()
    workbook = open_workbook(data, bank.problems)
    if workbook is None:
        return bank
    try:
        sheets = Sheets(workbook, bank.problems)
        known = [ELEMENTS, *ITEM_SHEETS, TASKS, MARKING]
        if not any(name in sheets for name in known):
            bank.problems.append(
                Problem(_l("工作簿中没有可导入的工作表，应至少包含：%(names)s", names="、".join(known)))
            )
            return bank
        _read(sheets, bank)
    except Exception as exc:  # a corrupt sheet part surfaces while iterating
        bank.problems.append(Problem(_l("无法读取工作簿：%(error)s", error=str(exc) or type(exc).__name__)))
    finally:
        workbook.close()
    if not (bank.items or bank.elements or bank.tasks or bank.problems):
        bank.problems.append(Problem(_l("工作簿中没有可导入的数据")))
    return bank


def _read(sheets: Sheets, bank: ParsedBank) -> None:
    codes: dict[str, set[str]] | None = None
    if ELEMENTS in sheets:
        codes = _read_elements(sheets, bank)
        if ELEMENTS in sheets.refused:
            codes = None  # not cross-checked: every code would be reported missing
    _read_items(sheets, bank, codes)
    read_tasks(sheets, bank, codes)


# --- 鉴定要素 --------------------------------------------------------------------------------


class _Area:
    __slots__ = ("category", "code", "row", "weight")

    def __init__(self, category: str, code: str, row: int):
        self.category, self.code, self.row, self.weight = category, code, row, None


def _read_elements(sheets: Sheets, bank: ParsedBank) -> dict[str, set[str]]:
    """Read 鉴定要素; the element codes by category (also those of rows with other problems)."""
    codes: dict[str, dict[str, int]] = {THEORY: {}, SKILL: {}}
    areas: dict[tuple[str, str], _Area] = {}
    for row in sheets.rows(ELEMENTS, ELEMENT_COLUMNS):
        element = _read_element(row, codes, areas)
        if element is not None:
            bank.elements.append(element)
    _check_weights(areas, bank.problems)
    weights = {key: area.weight for key, area in areas.items()}
    for element in bank.elements:
        element.area_weight = weights.get((element.category, element.area_code), element.area_weight)
    return {category: set(found) for category, found in codes.items()}


def _read_element(row: Row, codes: dict[str, dict[str, int]], areas: dict) -> ParsedElement | None:
    before = len(row.problems)
    category_text = row.required("类别")
    category = CATEGORIES.get(category_text)
    if category_text and category is None:
        row.report(_l("「类别」应为“理论知识”或“技能要求”，现为「%(value)s」", value=category_text), "类别")
    fields = {column: row.required(column) for column in ("区域代码", "区域名称", "单元代码", "单元名称", "要素名称")}
    code = row.required("要素代码")
    weight = _weight(row)
    importance = _importance(row)
    if category and code:
        seen = codes[category]
        if code in seen:
            row.report(
                _l("要素代码 %(code)s 与第 %(row)d 行重复（同一类别内不能重复）", code=code, row=seen[code]), "要素代码"
            )
        else:
            seen[code] = row.location.row
    if category and fields["区域代码"]:
        _area_weight(row, areas, category, fields["区域代码"], weight)
    if len(row.problems) > before:
        return None
    return ParsedElement(
        category=category,
        area_code=fields["区域代码"],
        area_name=fields["区域名称"],
        area_weight=weight,
        unit_code=fields["单元代码"],
        unit_name=fields["单元名称"],
        code=code,
        name=fields["要素名称"],
        importance=importance,
        location=row.location,
    )


def _weight(row: Row) -> float | None:
    weight = row.number(WEIGHT, required=False)
    if weight is not None and not 0 <= weight <= 100:
        row.report(_l("比重应在 0–100 之间，现为 %(value)s", value=f"{weight:g}"), WEIGHT)
        return None
    return weight


def _importance(row: Row) -> str:
    text = row.required("重要程度")
    importance = IMPORTANCE_WORDS.get(text.upper())
    if text and importance is None:
        row.report(_l("「重要程度」应为 X（核心）、Y（一般）或 Z（辅助），现为「%(value)s」", value=text), "重要程度")
    return importance or ""


def _area_weight(row: Row, areas: dict, category: str, code: str, weight: float | None) -> None:
    area = areas.setdefault((category, code), _Area(category, code, row.location.row))
    if weight is None:
        return
    if area.weight is None:
        area.weight = weight
    elif abs(area.weight - weight) > 0.01:
        message = _l(
            "区域 %(area)s 的比重前面填的是 %(first)s，这里是 %(value)s；同一区域只能有一个比重",
            area=code,
            first=f"{area.weight:g}",
            value=f"{weight:g}",
        )
        row.report(message, WEIGHT)


def _check_weights(areas: dict[tuple[str, str], _Area], problems: list[Problem]) -> None:
    totals: dict[str, float] = {}
    for area in areas.values():
        if area.weight is None:
            where = Location(sheet=ELEMENTS, row=area.row)
            problems.append(where.problem(_l("区域 %(area)s 没有填写比重", area=area.code), WEIGHT))
        totals[area.category] = totals.get(area.category, 0.0) + (area.weight or 0.0)
    titles = {THEORY: "理论知识", SKILL: "技能要求"}
    for category, total in totals.items():
        if abs(total - 100) > 0.01:
            message = _l(
                "%(category)s各区域比重合计为 %(total)s，应为 100", category=titles[category], total=f"{total:g}"
            )
            problems.append(Problem(message, sheet=ELEMENTS, column=WEIGHT))


# --- 单选题 / 多选题 / 判断题 ------------------------------------------------------------------


def _read_items(sheets: Sheets, bank: ParsedBank, codes: dict[str, set[str]] | None) -> None:
    for name, qtype in ITEM_SHEETS.items():
        required = (
            ("题干", "答案") if qtype == TRUE_FALSE else ("题干", f"{OPTION_HEADER}A", f"{OPTION_HEADER}B", "答案")
        )
        if codes is not None:
            required = (ELEMENT_CODE, *required)
        optional = TRUE_FALSE_COLUMNS + ITEM_TAIL + tuple(OPTION_HEADER + letter for letter in LETTERS)
        numbers: dict[str, int] = {}
        for row in sheets.rows(name, required, optional):
            _check_number(row, numbers)
            item = read_item(row, qtype)
            if codes is not None:
                check_element(row, ELEMENT_CODE, row.text(ELEMENT_CODE), codes, THEORY)
            if item is not None:
                bank.items.append(item)


def _check_number(row: Row, numbers: dict[str, int]) -> None:
    number = row.text("序号")
    if not number:
        return
    if number in numbers:
        row.report(_l("序号 %(number)s 与第 %(row)d 行重复", number=number, row=numbers[number]), "序号")
    else:
        numbers[number] = row.location.row
