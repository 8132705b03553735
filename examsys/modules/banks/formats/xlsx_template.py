"""The project workbook's layout (sheet names, column headers) and its writer.

``write_workbook(ParsedBank())`` is the empty template users download; with a bank it is the
workbook export. See question_banks/FORMAT.md for the contract.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from examsys.core.spreadsheets import add_choice, write_guide

from .base import MULTIPLE, SINGLE, THEORY, TRUE_FALSE, ParsedBank, ParsedItem

ELEMENTS = "鉴定要素"
SINGLES = "单选题"
MULTIPLES = "多选题"
TRUE_FALSES = "判断题"
TASKS = "实操任务"
MARKING = "评分细则"
ITEM_SHEETS = {SINGLES: SINGLE, MULTIPLES: MULTIPLE, TRUE_FALSES: TRUE_FALSE}
CATEGORY_TITLES = {THEORY: "理论知识", "skill": "技能要求"}
WEIGHT = "比重(%)"
DURATION = "时长(分钟)"
ELEMENT_CODE = "鉴定要素代码"
SKILL_CODES = "技能要素代码"
OPTION_LETTERS = "ABCDEF"

ELEMENT_COLUMNS = ("类别", "区域代码", "区域名称", WEIGHT, "单元代码", "单元名称", "要素代码", "要素名称", "重要程度")
ITEM_TAIL = ("答案", "难度", "解析", "来源")
TRUE_FALSE_COLUMNS = ("序号", ELEMENT_CODE, "题干", *ITEM_TAIL)
TASK_COLUMNS = (
    "任务编号",
    "任务名称",
    SKILL_CODES,
    "操作说明",
    DURATION,
    "配分",
    "材料与设备",
    "工位类型",
    "安全注意事项",
)
MARKING_COLUMNS = ("任务编号", "序号", "评分项", "配分", "评分标准", "扣分说明", "否决项")

WIDTHS = {
    "题干": 60, "解析": 40, "操作说明": 60, "评分标准": 40, "扣分说明": 30, "安全注意事项": 30, "材料与设备": 30,
    "任务名称": 24, "评分项": 24, "区域名称": 20, "单元名称": 20, "要素名称": 30, "来源": 16, "工位类型": 14,
    ELEMENT_CODE: 14, SKILL_CODES: 16,
}  # fmt: skip
GUIDE = (
    ("工作表", "每行是", "说明"),
    (ELEMENTS, "一个鉴定要素", "类别填“理论知识”或“技能要求”；同一类别各区域的比重(%)合计 100，同一区域各行比重相同；"
     "要素代码在同一类别内不能重复；重要程度填 X（核心）、Y（一般）或 Z（辅助）。"),
    (SINGLES, "一道单选题", "选项A 起连续填写，至少 2 个；答案填 1 个选项字母，如 B；难度为 1–5 的整数，空着按 3；"
     "鉴定要素代码须是本文件“鉴定要素”表中的理论知识要素。"),
    (MULTIPLES, "一道多选题", "列同单选题；答案填 2 个及以上选项字母，如 ABD。"),
    (TRUE_FALSES, "一道判断题", "答案填“正确”或“错误”（也可写 对/错、√/×、T/F、是/否）。"),
    (TASKS, "一个实操任务", "技能要素代码可填多个，用分号 ; 分隔，须是技能要求要素；时长为分钟数；"
     "配分是该任务在实操试卷中的分值。"),
    (MARKING, "任务的一条评分项", "任务编号须在“实操任务”表中；同一任务各评分项配分合计等于任务配分；"
     "否决项填“是”时配分为 0，违反即整个任务记 0 分。"),
    ("", "", ""),
    ("导入规则", "", "表头按名称识别，列的顺序不限，多出的列会被忽略；不用的工作表可以删除。"
     "整个文件要么全部导入，要么全部不导入：有任何一处错误都会列出所在工作表、行号和列名，请修改后重新导入。"),
    ("格式", "", "题干、选项和解析可含简单 HTML（加粗、上下标、表格、换行、data: 图片），其余标记会被去除。"),
)  # fmt: skip


def item_columns(option_count: int = len(OPTION_LETTERS)) -> tuple[str, ...]:
    options = tuple(f"选项{chr(ord('A') + i)}" for i in range(max(option_count, len(OPTION_LETTERS))))
    return ("序号", ELEMENT_CODE, "题干", *options, *ITEM_TAIL)


def _value(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _sheet(workbook: Workbook, title: str, columns: tuple[str, ...], rows: list[tuple]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column, max(8, 2 * len(column) + 4))
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(number, index, _value(value))
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, not a formula
    return sheet


def _item_row(number: int, item: ParsedItem, option_count: int) -> tuple:
    if item.qtype == TRUE_FALSE:
        answer = "正确" if item.correct_labels == ["T"] else "错误"
        return (number, item.element_code, item.stem, answer, item.difficulty, item.explanation, item.source)
    texts = [o.text for o in item.options] + [None] * (option_count - len(item.options))
    answer = "".join(item.correct_labels)
    return (number, item.element_code, item.stem, *texts, answer, item.difficulty, item.explanation, item.source)


def _write_items(workbook: Workbook, bank: ParsedBank) -> None:
    for title, qtype in ITEM_SHEETS.items():
        items = [item for item in bank.items if item.qtype == qtype]
        if qtype == TRUE_FALSE:
            columns = TRUE_FALSE_COLUMNS
            sheet = _sheet(workbook, title, columns, [_item_row(n, i, 0) for n, i in enumerate(items, 1)])
            add_choice(sheet, columns, "答案", "正确,错误", "判断题答案应为“正确”或“错误”")
            continue
        count = max([len(OPTION_LETTERS)] + [len(i.options) for i in items])
        columns = item_columns(count)
        sheet = _sheet(workbook, title, columns, [_item_row(n, i, count) for n, i in enumerate(items, 1)])
        difficulty = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
        difficulty.error = "难度应为 1–5 的整数"
        sheet.add_data_validation(difficulty)
        letter = get_column_letter(columns.index("难度") + 1)
        difficulty.add(f"{letter}2:{letter}1048576")


def _write_elements(workbook: Workbook, bank: ParsedBank) -> None:
    rows = [
        (CATEGORY_TITLES.get(e.category, e.category), e.area_code, e.area_name, e.area_weight, e.unit_code,
         e.unit_name, e.code, e.name, e.importance)
        for e in bank.elements
    ]  # fmt: skip
    sheet = _sheet(workbook, ELEMENTS, ELEMENT_COLUMNS, rows)
    add_choice(sheet, ELEMENT_COLUMNS, "类别", "理论知识,技能要求")
    add_choice(sheet, ELEMENT_COLUMNS, "重要程度", "X,Y,Z")


def _write_tasks(workbook: Workbook, bank: ParsedBank) -> None:
    tasks = [
        (t.code, t.title, ";".join(t.element_codes), t.instructions, t.duration_minutes, t.points,
         t.materials, t.station_type, t.safety)
        for t in bank.tasks
    ]  # fmt: skip
    _sheet(workbook, TASKS, TASK_COLUMNS, tasks)
    marking = [
        (t.code, m.number, m.title, m.points, m.criteria, m.deductions, "是" if m.veto else "否")
        for t in bank.tasks
        for m in t.marking
    ]
    sheet = _sheet(workbook, MARKING, MARKING_COLUMNS, marking)
    add_choice(sheet, MARKING_COLUMNS, "否决项", "是,否")


def _write_guide(workbook: Workbook) -> None:
    write_guide(workbook, "题库导入模板", GUIDE, (14, 18, 90))


def write_workbook(bank: ParsedBank) -> bytes:
    """The bank as the project workbook; an empty bank gives the downloadable template."""
    workbook = Workbook()
    _write_guide(workbook)
    _write_elements(workbook, bank)
    _write_items(workbook, bank)
    _write_tasks(workbook, bank)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
