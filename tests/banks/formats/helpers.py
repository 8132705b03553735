"""Helpers for the format tests: workbooks built with openpyxl, problems as plain tuples."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

from openpyxl import Workbook

SAMPLES = Path(__file__).parent / "samples"

ELEMENT_HEADER = ["类别", "区域代码", "区域名称", "比重(%)", "单元代码", "单元名称", "要素代码", "要素名称", "重要程度"]
SINGLE_HEADER = ["序号", "鉴定要素代码", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "难度", "解析", "来源"]
TASK_HEADER = [
    "任务编号",
    "任务名称",
    "技能要素代码",
    "操作说明",
    "时长(分钟)",
    "配分",
    "材料与设备",
    "工位类型",
    "安全注意事项",
]
MARKING_HEADER = ["任务编号", "序号", "评分项", "配分", "评分标准", "扣分说明", "否决项"]


def good_sheets() -> dict[str, list[list]]:
    """A small but complete bank, as an exam office would fill in the template."""
    return {
        "说明": [["本表为说明，导入时忽略"], ["随便写点什么", 123]],
        "鉴定要素": [
            [*ELEMENT_HEADER],
            ["理论知识", "A", "基础知识", 30, "A-01", "电工基础", "A-01-001", "欧姆定律", "X"],
            ["理论知识", "A", "基础知识", 30, "A-01", "电工基础", "A-01-002", "基尔霍夫定律", "Y"],
            ["理论知识", "B", "安全知识", 70, "B-01", "安全用电", "B-01-001", "安全电压", "x"],
            ["技能要求", "C", "电气安装", 100, "C-01", "照明线路", "C-01-001", "照明线路安装", "X"],
            ["技能要求", "C", "电气安装", None, "C-01", "照明线路", "C-01-002", "线路检测", "Z"],
        ],
        "单选题": [
            [*SINGLE_HEADER],
            [
                1,
                "A-01-001",
                "在<b>纯电阻</b>电路中，电流与电压成正比，这一规律称为",
                "欧姆定律",
                "焦耳定律",
                "楞次定律",
                None,
                "A",
                2,
                "I = U / R",
                "《电工》教材",
            ],
            [2, "B-01-001", "  我国安全电压额定值的最高等级是  ", "24 V", "36 V", "42 V", "50 V", "c", 3.0, None, None],
            [3, "A-01-002", "1 kΩ 等于", 10, 100, 1000, None, "C", None, None, None],
        ],
        "多选题": [  # headers in another order, no 序号 column at all
            ["题干", "答案", "选项A", "选项B", "选项C", "鉴定要素代码", "解析"],
            [
                "触电急救时，正确的做法有",
                "A、B",
                "迅速断电",
                "用干燥木棒挑开电线",
                "直接用手拉开",
                "B-01-001",
                "先断电",
            ],
        ],
        "判断题": [
            ["序号", "鉴定要素代码", "题干", "答案", "难度", "解析", "来源"],
            [1, "B-01-001", "保护接地适用于中性点不接地的低压电网。", "正确", 2, None, None],
            [2, "B-01-001", "可以用湿手操作开关。", "×", None, "湿手易触电", None],
            [None, None, None, None, None, None, None],  # an empty row is skipped
            [4, "A-01-001", "欧姆定律适用于纯电阻电路。", "t", None, None, None],
            [5, "A-01-001", "电阻并联后总电阻变大。", False, None, None, None],  # Excel FALSE
        ],
        "实操任务": [
            [*TASK_HEADER],
            [
                "T01",
                "照明线路安装",
                "C-01-001；C-01-002",
                "按图安装一控一灯照明线路并通电试验。",
                60,
                40,
                "护套线、开关、灯座",
                "电工实训台",
                "断电操作，通电须经考评员同意",
            ],
        ],
        "评分细则": [
            [*MARKING_HEADER],
            ["T01", 1, "线路连接", 25, "接线正确、牢固", "每处错误扣 5 分", "否"],
            ["T01", 2, "通电试验", 15, "一次通电成功", "不成功扣 15 分", None],
            ["T01", 3, "安全文明生产", 0, "遵守安全规程", "违反者本任务记 0 分", "是"],
        ],
    }


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def located(problems) -> list[tuple]:
    """Problems as (sheet or question, row, column, message) for exact comparisons."""
    return [(p.sheet or p.question, p.row, p.column, str(p.message)) for p in problems]


def messages(problems) -> list[str]:
    return [str(p.message) for p in problems]


def without_locations(things) -> list[dict]:
    """Dataclasses as dicts with every ``location`` (at any depth) removed."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "location"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [strip(dataclasses.asdict(thing)) for thing in things]
