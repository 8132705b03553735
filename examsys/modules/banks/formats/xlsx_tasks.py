"""The workbook's 实操任务 and 评分细则 sheets: practical tasks and their marking items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .base import SKILL, ParsedBank, ParsedMarkingItem, ParsedTask
from .common import Row, check_element, truth_value
from .xlsx_template import DURATION, MARKING, SKILL_CODES, TASKS

TOLERANCE = 0.01
_CODE_SEPARATORS = re.compile(r"[;；,，、\s]+")


@dataclass
class _TaskRow:
    """A task code seen on 实操任务 (its row may have other problems: then ``task`` is None)."""

    row: Row
    task: ParsedTask | None
    points: float | None
    marking_total: float = 0.0
    marking_rows: int = 0
    marking_broken: bool = False
    numbers: dict[int, int] = field(default_factory=dict)


def read_tasks(sheets, bank: ParsedBank, codes: dict[str, set[str]] | None) -> None:
    """Read 实操任务 then 评分细则, and check each task's marking adds up to its 配分."""
    tasks: dict[str, _TaskRow] = {}
    if TASKS in sheets:
        required = ("任务编号", "任务名称", "操作说明", DURATION, "配分")
        if codes is not None:
            required = (*required, SKILL_CODES)
        optional = (SKILL_CODES, "材料与设备", "工位类型", "安全注意事项")
        for row in sheets.rows(TASKS, required, optional):
            _read_task(row, tasks, codes)
    if MARKING in sheets:
        required = ("任务编号", "序号", "评分项", "配分", "评分标准")
        check_codes = TASKS not in sheets.refused  # else every code would be reported missing
        for row in sheets.rows(MARKING, required, ("扣分说明", "否决项")):
            _read_marking(row, tasks, check_codes)
    for entry in tasks.values():
        _check_total(entry)
        if entry.task is not None:
            entry.task.marking.sort(key=lambda m: m.number)
            bank.tasks.append(entry.task)


def _read_task(row: Row, tasks: dict[str, _TaskRow], codes: dict[str, set[str]] | None) -> None:
    before = len(row.problems)
    code = row.required("任务编号")
    title = row.required("任务名称")
    instructions = row.required("操作说明")
    duration = row.whole(DURATION, 1)
    points = row.number("配分")
    if points is not None and points <= 0:
        row.report(_l("任务配分应大于 0，现为 %(value)s", value=f"{points:g}"), "配分")
        points = None
    element_codes = [c for c in _CODE_SEPARATORS.split(row.text(SKILL_CODES)) if c]
    if codes is not None:
        for element in element_codes or [""]:
            check_element(row, SKILL_CODES, element, codes, SKILL)
    if code in tasks:
        first = tasks[code].row.location.row
        row.report(_l("任务编号 %(code)s 与第 %(row)d 行重复", code=code, row=first), "任务编号")
        return
    task = None
    if len(row.problems) == before:
        task = ParsedTask(
            code=code,
            title=title,
            instructions=instructions,
            duration_minutes=duration,
            points=points,
            location=row.location,
            element_codes=element_codes,
            materials=row.text("材料与设备"),
            station_type=row.text("工位类型"),
            safety=row.text("安全注意事项"),
        )
    if code:
        tasks[code] = _TaskRow(row, task, points)


def _read_marking(row: Row, tasks: dict[str, _TaskRow], check_codes: bool) -> None:
    before = len(row.problems)
    code = row.required("任务编号")
    entry = tasks.get(code)
    if code and entry is None and check_codes:
        row.report(_l("任务编号 %(code)s 在「实操任务」工作表中不存在", code=code), "任务编号")
    number = row.whole("序号", 1)
    title = row.required("评分项")
    points = row.number("配分")
    criteria = row.required("评分标准")
    veto = _veto(row)
    if points is not None and points < 0:
        row.report(_l("配分不能为负数，现为 %(value)s", value=f"{points:g}"), "配分")
    if veto and points:
        row.report(_l("否决项的配分应为 0，现为 %(value)s", value=f"{points:g}"), "配分")
    if entry is None:
        return
    if number is not None:
        if number in entry.numbers:
            message = _l(
                "任务 %(code)s 的序号 %(number)d 与第 %(row)d 行重复",
                code=code,
                number=number,
                row=entry.numbers[number],
            )
            row.report(message, "序号")
        else:
            entry.numbers[number] = row.location.row
    entry.marking_rows += 1
    if len(row.problems) > before:
        entry.marking_broken = True
        return
    entry.marking_total += 0.0 if veto else points
    if entry.task is not None:
        item = ParsedMarkingItem(number, title, points, criteria, row.text("扣分说明"), veto, row.location)
        entry.task.marking.append(item)


def _veto(row: Row) -> bool:
    text = row.text("否决项")
    if not text:
        return False
    value = truth_value(text)
    if value is None:
        row.report(_l("「否决项」应为“是”或“否”，现为「%(value)s」", value=text), "否决项")
        return False
    return value


def _check_total(entry: _TaskRow) -> None:
    if entry.points is None or entry.marking_broken:
        return  # the task's 配分 or one of its marking rows is already reported
    code = entry.row.text("任务编号")
    if not entry.marking_rows:
        entry.row.report(_l("任务 %(code)s 在「评分细则」工作表中没有评分项", code=code), "任务编号")
    elif abs(entry.marking_total - entry.points) > TOLERANCE:
        message = _l(
            "评分细则各项配分合计 %(total)s，与任务配分 %(points)s 不一致",
            total=f"{entry.marking_total:g}",
            points=f"{entry.points:g}",
        )
        entry.row.report(message, "配分")
