"""CSV: the 单选题 columns plus 题型, in the encodings Chinese Excel and other tools save."""

from __future__ import annotations

import pytest

from examsys.modules.banks.formats import csv_format
from examsys.modules.banks.formats.base import MULTIPLE, SINGLE, TRUE_FALSE, Location

from .helpers import located, messages

ROWS = [
    "序号,题型,鉴定要素代码,题干,选项A,选项B,选项C,选项D,答案,难度,解析,来源",
    '1,单选,A-01-001,"电阻的单位是<b>欧姆</b>，符号为",Ω,V,A,W,A,1,国际单位制,教材',
    '2,多选题,A-01-002,"下列属于导体的有（多行题干，\n第二行）",铜,铝,橡胶,,AB,,,',
    "3,判断,,安全电压最高为 42 V。,,,,,√,2,,",
    "4,判断题,,可以带电更换熔断器。,,,,,错,,,",
]


def csv_bytes(rows: list[str], encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(rows).encode(encoding) + newline.encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_encodings_excel_and_others_save(encoding):
    bank = csv_format.parse(csv_bytes(ROWS, encoding), "题库.csv")

    assert bank.problems == []
    assert [i.qtype for i in bank.items] == [SINGLE, MULTIPLE, TRUE_FALSE, TRUE_FALSE]
    single = bank.items[0]
    assert single.stem == "电阻的单位是<b>欧姆</b>，符号为"
    assert [(o.label, o.text, o.correct) for o in single.options] == [
        ("A", "Ω", True),
        ("B", "V", False),
        ("C", "A", False),
        ("D", "W", False),
    ]
    assert (single.element_code, single.difficulty, single.explanation, single.source) == (
        "A-01-001",
        1,
        "国际单位制",
        "教材",
    )
    assert bank.items[1].stem == "下列属于导体的有（多行题干，\n第二行）"
    assert bank.items[1].correct_labels == ["A", "B"]
    assert [o.label for o in bank.items[1].options] == ["A", "B", "C"]
    assert [i.correct_labels for i in bank.items[2:]] == [["T"], ["F"]]
    assert bank.items[2].element_code is None


def test_row_numbers_count_records_as_excel_shows_them():
    rows = [*ROWS, "5,单选,,少了答案,甲,乙,,,,,,", "6,问答,,这是什么题型,,,,,,,,"]

    bank = csv_format.parse(csv_bytes(rows, "gb18030"))

    # Record 3 spans two physical lines; Excel still shows it as row 3, so these are rows 6 and 7.
    assert located(bank.problems) == [
        (None, 6, "答案", "「答案」不能为空，应填选项字母，如 A 或 ABD"),
        (None, 7, "题型", "「题型」应为 单选、多选 或 判断，现为「问答」"),
    ]
    assert bank.items[0].location == Location(row=2)


def test_semicolon_separated_and_headers_in_any_order():
    rows = ["题干;答案;题型;选项B;选项A", "哪个是金属;B;单选;铁;木头"]

    bank = csv_format.parse(csv_bytes(rows, newline="\n"))

    assert bank.problems == []
    assert [(o.label, o.text, o.correct) for o in bank.items[0].options] == [("A", "木头", False), ("B", "铁", True)]


def test_missing_required_columns():
    bank = csv_format.parse(csv_bytes(["序号,题干,选项A,选项B", "1,题,甲,乙"]))
    assert located(bank.problems) == [
        (None, 1, "题型", "缺少「题型」列"),
        (None, 1, "答案", "缺少「答案」列"),
    ]


def test_choice_rows_need_option_columns_and_duplicate_numbers_are_reported():
    rows = ["序号,题型,题干,答案", "1,单选,没有选项列,A", "1,判断,对吗,对"]
    assert located(csv_format.parse(csv_bytes(rows)).problems) == [
        (None, 2, "选项A", "缺少「选项A」「选项B」等选项列"),
        (None, 3, "序号", "序号 1 与第 2 行重复"),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"\r\n\r\n", "文件是空的"),
        (bytes(range(256)) * 4, "无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV 文件"),
        (
            b"\xef\xbb\xbf\xe9\xa2\x98\xe5",
            "无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV 文件",
        ),  # cut mid-character
        (b"PK\x03\x04\x14\x00\x00\x00", "不是有效的 CSV 文本文件"),  # a zip (an .xlsx renamed to .csv)
    ],
)
def test_malformed_csv_gives_a_problem(data, message):
    bank = csv_format.parse(data)
    assert message in messages(bank.problems)
    assert bank.items == []
