"""Aiken: single-choice questions, Chinese and English, with line-numbered problems."""

from __future__ import annotations

import pytest

from examsys.modules.banks.formats import aiken
from examsys.modules.banks.formats.base import SINGLE, Location

from .helpers import SAMPLES, located, messages


def test_sample_with_chinese_and_english_questions():
    bank = aiken.parse((SAMPLES / "aiken.txt").read_bytes(), "aiken.txt")

    assert bank.problems == []
    assert [(i.qtype, i.stem, i.correct_labels, i.location) for i in bank.items] == [
        (SINGLE, "在三相四线制供电系统中，中性线的作用是什么？", ["A"], Location(line=1)),
        (SINGLE, "What is the SI unit of electrical resistance?", ["C"], Location(line=8)),
        (SINGLE, "万用表测量电阻前，应先进行哪项操作？", ["A"], Location(line=15)),
    ]
    assert [(o.label, o.text) for o in bank.items[1].options] == [
        ("A", "Volt"),
        ("B", "Ampere"),
        ("C", "Ohm"),
        ("D", "Watt"),
    ]
    assert bank.items[0].options[0].text == "使不对称负载的相电压保持对称"


def test_crlf_bom_full_width_punctuation_and_two_line_stem():
    text = "\ufeff下列哪种颜色用于\r\n保护接地线？\r\n\r\nA．淡蓝色\r\nB、绿/黄双色\r\nC）黑色\r\nanswer： b\r\n"

    bank = aiken.parse(text.encode("utf-8"))

    assert bank.problems == []
    (item,) = bank.items
    assert item.stem == "下列哪种颜色用于<br>保护接地线？"
    assert [(o.text, o.correct) for o in item.options] == [("淡蓝色", False), ("绿/黄双色", True), ("黑色", False)]


BROKEN = """第一题缺少答案行
A. 甲
B. 乙

第二题答案不在选项里
A. 甲
B. 乙
ANSWER: D

第三题只有一个选项
A. 甲
ANSWER: A

第四题选项跳号
A. 甲
C. 丙
ANSWER: A

第五题是好的
A. 甲
B. 乙
ANSWER: B
ANSWER: A

第六题到文件末尾也没有答案
A. 甲
B. 乙"""


def test_every_problem_is_reported_with_its_line_number():
    bank = aiken.parse(BROKEN.encode("gb18030"))

    assert located(bank.problems) == [
        (None, 1, None, "这道题缺少答案行（如“ANSWER: B”）"),
        (None, 8, None, "答案「D」不是本题的选项字母（本题选项：A、B）"),
        (None, 10, None, "至少需要 2 个选项，现有 1 个"),
        (None, 16, None, "选项应依次为 A、B、C……，这里应为 B，现为 C"),
        (None, 23, None, "答案行前面没有题目"),
        (None, 25, None, "这道题缺少答案行（如“ANSWER: B”）"),
    ]
    assert [i.stem for i in bank.items] == ["第五题是好的"]


def test_a_stray_line_between_options():
    bank = aiken.parse("题目\nA. 甲\n这一行是多余的\nB. 乙\nANSWER: A\n".encode())
    assert located(bank.problems) == [(None, 3, None, "这一行既不是选项（如“A. …”）也不是答案行（“ANSWER: B”）")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件中没有试题"),
        (b"\n \n", "文件中没有试题"),
        (bytes(range(256)), "不是有效的 Aiken 文本文件：无法识别编码"),
        ("题目\nA. 甲\nB. 乙\nANSW".encode(), "这一行既不是选项（如“A. …”）也不是答案行（“ANSWER: B”）"),  # truncated
    ],
)
def test_malformed_aiken_gives_a_problem(data, message):
    bank = aiken.parse(data)
    assert message in messages(bank.problems)
    assert bank.items == []
