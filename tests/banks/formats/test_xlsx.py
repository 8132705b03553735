"""The project workbook: reading every sheet, the rules checked within the file, the writer."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from examsys.modules.banks.formats import xlsx
from examsys.modules.banks.formats.base import (
    MULTIPLE,
    SINGLE,
    SKILL,
    THEORY,
    TRUE_FALSE,
    Location,
    ParsedBank,
    ParsedElement,
    ParsedItem,
    ParsedMarkingItem,
    ParsedOption,
    ParsedTask,
)

from .helpers import good_sheets, located, messages, without_locations, workbook


def parse_sheets(sheets) -> ParsedBank:
    return xlsx.parse(workbook(sheets), "bank.xlsx")


# --- a good workbook ----------------------------------------------------------------------


def test_good_workbook_parses_without_problems():
    bank = parse_sheets(good_sheets())

    assert bank.problems == []
    assert [(e.category, e.code, e.area_weight, e.importance) for e in bank.elements] == [
        (THEORY, "A-01-001", 30, "X"),
        (THEORY, "A-01-002", 30, "Y"),
        (THEORY, "B-01-001", 70, "X"),
        (SKILL, "C-01-001", 100, "X"),
        (SKILL, "C-01-002", 100, "Z"),  # the area's weight, given once on the row above
    ]
    first = bank.elements[0]
    assert (first.area_code, first.area_name, first.unit_code, first.unit_name, first.name) == (
        "A",
        "基础知识",
        "A-01",
        "电工基础",
        "欧姆定律",
    )
    assert first.location == Location(sheet="鉴定要素", row=2)


def test_good_workbook_items():
    items = parse_sheets(good_sheets()).items

    assert [(i.qtype, i.location.sheet, i.location.row) for i in items] == [
        (SINGLE, "单选题", 2),
        (SINGLE, "单选题", 3),
        (SINGLE, "单选题", 4),
        (MULTIPLE, "多选题", 2),
        (TRUE_FALSE, "判断题", 2),
        (TRUE_FALSE, "判断题", 3),
        (TRUE_FALSE, "判断题", 5),
        (TRUE_FALSE, "判断题", 6),
    ]
    first = items[0]
    assert first.stem == "在<b>纯电阻</b>电路中，电流与电压成正比，这一规律称为"  # HTML kept as given
    assert [(o.label, o.text, o.correct) for o in first.options] == [
        ("A", "欧姆定律", True),
        ("B", "焦耳定律", False),
        ("C", "楞次定律", False),
    ]
    assert (first.element_code, first.difficulty, first.explanation, first.source) == (
        "A-01-001",
        2,
        "I = U / R",
        "《电工》教材",
    )
    assert items[1].stem == "我国安全电压额定值的最高等级是"  # stripped
    assert items[1].correct_labels == ["C"]  # lower-case answer accepted
    assert items[1].difficulty == 3
    assert [o.text for o in items[2].options] == ["10", "100", "1000"]  # numbers as Excel shows them
    assert items[2].difficulty is None
    assert items[3].correct_labels == ["A", "B"]  # "A、B"
    assert items[3].explanation == "先断电"
    assert [i.correct_labels for i in items[4:]] == [["T"], ["F"], ["T"], ["F"]]  # 正确, ×, t, FALSE
    assert [o.text for o in items[4].options] == ["正确", "错误"]


def test_good_workbook_tasks_and_marking():
    (task,) = parse_sheets(good_sheets()).tasks

    assert (task.code, task.title, task.duration_minutes, task.points) == ("T01", "照明线路安装", 60, 40)
    assert task.element_codes == ["C-01-001", "C-01-002"]  # full-width ；separator
    assert (task.materials, task.station_type, task.safety) == (
        "护套线、开关、灯座",
        "电工实训台",
        "断电操作，通电须经考评员同意",
    )
    assert task.location == Location(sheet="实操任务", row=2)
    assert [(m.number, m.title, m.points, m.veto) for m in task.marking] == [
        (1, "线路连接", 25, False),
        (2, "通电试验", 15, False),
        (3, "安全文明生产", 0, True),
    ]
    assert task.marking[0].deductions == "每处错误扣 5 分"
    assert task.marking[2].location == Location(sheet="评分细则", row=4)


def test_sheets_may_be_absent_and_items_need_no_elements_then():
    sheets = good_sheets()
    only_items = {"单选题": sheets["单选题"]}
    only_items["单选题"][1][1] = "NOT-IN-THIS-FILE"  # checked against the bank by the import, not here

    bank = parse_sheets(only_items)

    assert bank.problems == []
    assert len(bank.items) == 3
    assert bank.items[0].element_code == "NOT-IN-THIS-FILE"


# --- the required fixtures: one bad row, wrong weights, marking not adding up -------------


def test_one_bad_row_is_reported_with_sheet_row_and_column():
    sheets = good_sheets()
    sheets["单选题"][2][7] = "E"  # row 3 in Excel: only A–D are filled

    bank = parse_sheets(sheets)

    assert located(bank.problems) == [("单选题", 3, "答案", "答案中的 E 不在选项中（该选项为空或不存在）")]
    assert len(bank.items) == 7  # the other rows are still read


def test_area_weights_must_total_100_per_category_and_be_consistent():
    sheets = good_sheets()
    sheets["鉴定要素"][2][3] = 35  # area A said 30 on the row above
    sheets["鉴定要素"][3][3] = 60  # area B: 30 + 60 = 90

    bank = parse_sheets(sheets)

    assert located(bank.problems) == [
        ("鉴定要素", 3, "比重(%)", "区域 A 的比重前面填的是 30，这里是 35；同一区域只能有一个比重"),
        ("鉴定要素", None, "比重(%)", "理论知识各区域比重合计为 90，应为 100"),
    ]


def test_area_without_any_weight():
    sheets = good_sheets()
    sheets["鉴定要素"][4][3] = None  # area C has no weight on any row now

    assert located(parse_sheets(sheets).problems) == [
        ("鉴定要素", 5, "比重(%)", "区域 C 没有填写比重"),
        ("鉴定要素", None, "比重(%)", "技能要求各区域比重合计为 0，应为 100"),
    ]


def test_marking_items_must_add_up_to_the_task_points():
    sheets = good_sheets()
    sheets["评分细则"][2][3] = 10  # 25 + 10 + 0 = 35, the task has 40

    bank = parse_sheets(sheets)

    assert located(bank.problems) == [("实操任务", 2, "配分", "评分细则各项配分合计 35，与任务配分 40 不一致")]


def test_a_veto_item_has_no_points_and_its_task_is_not_summed_again():
    sheets = good_sheets()
    sheets["评分细则"][3][3] = 5

    assert located(parse_sheets(sheets).problems) == [("评分细则", 4, "配分", "否决项的配分应为 0，现为 5")]


# --- more rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value", "message"),
    [
        ("单选题", 2, "答案", "AB", "单选题只能有 1 个答案，现为「AB」"),
        ("单选题", 2, "答案", "", "「答案」不能为空，应填选项字母，如 A 或 ABD"),
        ("单选题", 2, "答案", "1", "答案应为选项字母，如 A 或 ABD，现为「1」"),
        ("单选题", 2, "难度", 6, "「难度」应为 1–5 的整数，现为「6」"),
        ("单选题", 2, "难度", 2.5, "「难度」应为 1–5 的整数，现为「2.5」"),
        ("单选题", 2, "难度", "中等", "「难度」应为数字，现为「中等」"),
        ("单选题", 2, "题干", None, "「题干」不能为空"),
        ("单选题", 2, "鉴定要素代码", "C-01-001", "C-01-001 是技能要求要素，试题只能关联理论知识要素"),
        ("单选题", 2, "鉴定要素代码", "Z-99", "鉴定要素 Z-99 在「鉴定要素」工作表中不存在"),
        ("单选题", 2, "鉴定要素代码", None, "「鉴定要素代码」不能为空"),
        ("单选题", 3, "序号", 1, "序号 1 与第 2 行重复"),
        ("多选题", 2, "答案", "B", "多选题至少要有 2 个正确答案，现为「B」"),
        ("判断题", 2, "答案", "可能", "判断题答案应为“正确”或“错误”（也可写 对/错、√/×、T/F、是/否），现为「可能」"),
        ("鉴定要素", 2, "重要程度", "W", "「重要程度」应为 X（核心）、Y（一般）或 Z（辅助），现为「W」"),
        ("实操任务", 2, "技能要素代码", "A-01-001", "A-01-001 是理论知识要素，实操任务只能关联技能要求要素"),
        ("实操任务", 2, "时长(分钟)", 0, "「时长(分钟)」应为 ≥1 的整数，现为「0」"),
        ("评分细则", 3, "否决项", "也许", "「否决项」应为“是”或“否”，现为「也许」"),
        ("评分细则", 3, "序号", 1, "任务 T01 的序号 1 与第 2 行重复"),
    ],
)
def test_rule_broken_in_one_cell(sheet, row, column, value, message):
    sheets = good_sheets()
    rows = sheets[sheet]
    rows[row - 1][rows[0].index(column)] = value

    assert located(parse_sheets(sheets).problems) == [(sheet, row, column, message)]


def test_element_code_repeated_within_a_category():
    sheets = good_sheets()
    sheets["鉴定要素"].append(["理论知识", "A", "基础知识", 30, "A-01", "电工基础", "A-01-002", "重复", "Y"])

    assert located(parse_sheets(sheets).problems) == [
        ("鉴定要素", 7, "要素代码", "要素代码 A-01-002 与第 3 行重复（同一类别内不能重复）")
    ]


def test_element_code_of_another_category_may_repeat():
    sheets = good_sheets()
    sheets["鉴定要素"][5][6] = "A-01-001"  # a skill element with a theory element's code
    sheets["实操任务"][1][2] = "A-01-001;C-01-001"

    assert parse_sheets(sheets).problems == []


def test_option_gap_and_too_few_options():
    sheets = good_sheets()
    sheets["单选题"][1][4] = None  # 选项B empty, 选项C filled
    sheets["单选题"][3][4:6] = [None, None]  # only 选项A left

    assert located(parse_sheets(sheets).problems) == [
        ("单选题", 2, "选项B", "选项B为空，但后面还有选项；选项应从 A 起连续填写"),
        ("单选题", 4, "选项B", "至少需要 2 个选项，现有 1 个"),
    ]


def test_every_problem_of_a_row_and_of_the_file_is_collected():
    sheets = good_sheets()
    sheets["单选题"][1] = [1, "Z-99", None, "甲", "乙", None, None, "C", 9, None, None]
    sheets["评分细则"].append(["T09", 1, "多余", 5, "无", None, None])

    assert located(parse_sheets(sheets).problems) == [
        ("单选题", 2, "题干", "「题干」不能为空"),
        ("单选题", 2, "答案", "答案中的 C 不在选项中（该选项为空或不存在）"),
        ("单选题", 2, "难度", "「难度」应为 1–5 的整数，现为「9」"),
        ("单选题", 2, "鉴定要素代码", "鉴定要素 Z-99 在「鉴定要素」工作表中不存在"),
        ("评分细则", 5, "任务编号", "任务编号 T09 在「实操任务」工作表中不存在"),
    ]


def test_task_without_marking_items_and_duplicate_task():
    sheets = good_sheets()
    sheets["实操任务"].append(["T02", "线路检测", "C-01-002", "用万用表检测线路。", 30, 20, None, None, None])
    sheets["实操任务"].append(["T01", "重复", "C-01-002", "重复的任务。", 30, 20, None, None, None])

    assert located(parse_sheets(sheets).problems) == [
        ("实操任务", 4, "任务编号", "任务编号 T01 与第 2 行重复"),
        ("实操任务", 3, "任务编号", "任务 T02 在「评分细则」工作表中没有评分项"),
    ]


def test_missing_required_headers_are_named_once_each():
    sheets = good_sheets()
    sheets["单选题"] = [[h for h in sheets["单选题"][0] if h not in ("答案", "选项B")], [1, "A-01-001", "题干"]]
    sheets["实操任务"][0][sheets["实操任务"][0].index("配分")] = "分值"

    problems = parse_sheets(sheets).problems

    # The marking rows are not reported against a 实操任务 sheet that could not be read.
    assert located(problems) == [
        ("单选题", None, "选项B", "缺少「选项B」列"),
        ("单选题", None, "答案", "缺少「答案」列"),
        ("实操任务", None, "配分", "缺少「配分」列"),
    ]


def test_unreadable_element_sheet_does_not_make_every_code_missing():
    sheets = good_sheets()
    sheets["鉴定要素"][0][sheets["鉴定要素"][0].index("重要程度")] = "等级"

    assert located(parse_sheets(sheets).problems) == [("鉴定要素", None, "重要程度", "缺少「重要程度」列")]


def test_header_row_below_a_title_row_and_full_width_brackets():
    sheets = good_sheets()
    header = ["比重（%）" if h == "比重(%)" else h for h in sheets["鉴定要素"][0]]
    sheets["鉴定要素"] = [["电工四级鉴定要素细目表"], header, *sheets["鉴定要素"][1:]]

    bank = parse_sheets(sheets)

    assert bank.problems == []
    assert bank.elements[0].location.row == 3


def test_formula_results_are_read_not_the_formula():
    sheets = good_sheets()
    sheets["评分细则"][1][3] = "=40-15"  # openpyxl writes a formula without a cached value

    problems = parse_sheets(sheets).problems

    # No cached value in a file that Excel never saved: an empty cell, never the formula's text.
    assert located(problems) == [("评分细则", 2, "配分", "「配分」不能为空")]


# --- malformed files ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "不是有效的 Excel 工作簿（.xlsx）文件："),
        (b"\x00\x01garbage\xff" * 50, "不是有效的 Excel 工作簿（.xlsx）文件："),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "这是旧版 Excel（.xls）文件"),
    ],
)
def test_not_a_workbook_gives_one_problem(data, start):
    bank = xlsx.parse(data, "bank.xlsx")
    assert len(bank.problems) == 1
    assert messages(bank.problems)[0].startswith(start)
    assert bank.items == []


def test_truncated_workbook_gives_a_problem():
    data = workbook(good_sheets())
    bank = xlsx.parse(data[: len(data) // 2])
    assert len(bank.problems) == 1
    assert messages(bank.problems)[0].startswith("不是有效的 Excel 工作簿（.xlsx）文件：")


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert len(xlsx.parse(buffer.getvalue()).problems) == 1


def test_workbook_without_known_sheets():
    bank = parse_sheets({"Sheet1": [["题目", "答案"], ["1+1", "2"]]})
    assert messages(bank.problems) == [
        "工作簿中没有可导入的工作表，应至少包含：鉴定要素、单选题、多选题、判断题、实操任务、评分细则"
    ]


# --- writing ------------------------------------------------------------------------------


def sample_bank() -> ParsedBank:
    here = Location()
    return ParsedBank(
        elements=[
            ParsedElement(THEORY, "A", "基础知识", 100.0, "A-01", "电工基础", "A-01-001", "欧姆定律", "X", here),
            ParsedElement(SKILL, "C", "电气安装", 60.0, "C-01", "照明", "C-01-001", "照明安装", "Y", here),
            ParsedElement(SKILL, "D", "检修", 40.0, "D-01", "检修", "D-01-001", "故障排除", "Z", here),
        ],
        items=[
            ParsedItem(
                SINGLE,
                "H<sub>2</sub>O 中<b>氢</b>的化合价？",
                [ParsedOption("A", "+1", True), ParsedOption("B", "-1"), ParsedOption("C", "=0 （公式样）")],
                here,
                "A-01-001",
                4,
                "解析<br>第二行",
                "教材",
            ),
            ParsedItem(
                MULTIPLE,
                "七个选项的多选题",
                [ParsedOption(chr(65 + i), f"选项{i}", i in (0, 6)) for i in range(7)],
                here,
                "A-01-001",
            ),
            ParsedItem(
                TRUE_FALSE, "判断", [ParsedOption("T", "正确"), ParsedOption("F", "错误", True)], here, "A-01-001"
            ),
        ],
        tasks=[
            ParsedTask(
                "T01",
                "照明线路安装",
                "按图安装",
                90,
                37.5,
                here,
                ["C-01-001", "D-01-001"],
                "护套线",
                "实训台",
                "断电操作",
                [
                    ParsedMarkingItem(1, "接线", 30.0, "正确", "每处扣 5 分", False, here),
                    ParsedMarkingItem(2, "工艺", 7.5, "美观", "", False, here),
                    ParsedMarkingItem(3, "安全", 0.0, "遵守规程", "", True, here),
                ],
            )
        ],
    )


def test_round_trip_keeps_items_elements_and_tasks():
    bank = sample_bank()

    parsed = xlsx.parse(xlsx.write_workbook(bank))

    assert parsed.problems == []
    assert without_locations(parsed.items) == without_locations(bank.items)
    assert without_locations(parsed.elements) == without_locations(bank.elements)
    assert without_locations(parsed.tasks) == without_locations(bank.tasks)


def test_empty_template_layout():
    data = xlsx.write_workbook(ParsedBank())
    book = load_workbook(io.BytesIO(data))

    assert book.sheetnames == ["说明", "鉴定要素", "单选题", "多选题", "判断题", "实操任务", "评分细则"]
    assert "导入规则" in [row[0] for row in book["说明"].iter_rows(values_only=True)]
    single = book["单选题"]
    assert [c.value for c in single[1]] == [
        "序号",
        "鉴定要素代码",
        "题干",
        "选项A",
        "选项B",
        "选项C",
        "选项D",
        "选项E",
        "选项F",
        "答案",
        "难度",
        "解析",
        "来源",
    ]
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    assert single.column_dimensions["C"].width == 60
    lists = {
        name: [dv.formula1 for dv in book[name].data_validations.dataValidation]
        for name in ("判断题", "鉴定要素", "评分细则")
    }
    assert '"正确,错误"' in lists["判断题"]
    assert '"X,Y,Z"' in lists["鉴定要素"]
    assert '"是,否"' in lists["评分细则"]


def test_empty_template_parses_to_nothing_to_import():
    bank = xlsx.parse(xlsx.write_workbook(ParsedBank()))
    assert (bank.items, bank.elements, bank.tasks) == ([], [], [])
    assert messages(bank.problems) == ["工作簿中没有可导入的数据"]
