"""GIFT: titles, comments, escapes, categories, format markers, feedback, the supported types."""

from __future__ import annotations

import pytest

from examsys.modules.banks.formats import gift
from examsys.modules.banks.formats.base import MULTIPLE, SINGLE, TRUE_FALSE, Location

from .helpers import SAMPLES, located, messages


@pytest.fixture(scope="module")
def bank():
    return gift.parse((SAMPLES / "electrician.gift").read_bytes(), "electrician.gift")


def test_sample_parses_without_problems(bank):
    assert bank.problems == []
    assert [(i.qtype, i.external_id, i.source, i.location) for i in bank.items] == [
        (SINGLE, "欧姆定律", "直流电路", Location(line=7)),
        (SINGLE, "转义", "直流电路", Location(line=15)),
        (TRUE_FALSE, "安全电压", "安全用电", Location(line=23)),
        (TRUE_FALSE, "潮湿环境", "安全用电", Location(line=25)),
        (MULTIPLE, "触电急救", "安全用电", Location(line=28)),
    ]


def test_single_choice_with_html_marker_feedback_and_general_feedback(bank):
    item = bank.items[0]
    assert item.stem == "在<b>纯电阻</b>电路中，电流与电压成正比、与电阻成反比，这一规律称为"
    assert [(o.label, o.text, o.correct) for o in item.options] == [
        ("A", "欧姆定律", True),
        ("B", "基尔霍夫电流定律", False),  # its "#…" feedback is not part of the option
        ("C", "焦耳定律", False),
    ]
    assert item.explanation == "欧姆定律：I = U / R。"  # \= unescaped


def test_escapes(bank):
    item = bank.items[1]
    assert item.stem == "GIFT 中花括号 { } 、等号 = 与波浪号 ~ 要转义，比值 1:1 的写法是？"
    assert [(o.text, o.correct) for o in item.options] == [("1:1", True), ("1~1", False), ("1#1", False)]


def test_true_false_with_and_without_feedback(bank):
    assert bank.items[2].stem == "我国规定的安全电压额定值的等级中，最高为 42 V。"
    assert bank.items[2].correct_labels == ["T"]
    assert bank.items[3].correct_labels == ["F"]
    assert [o.text for o in bank.items[3].options] == ["正确", "错误"]


def test_multiple_answers_with_percentages(bank):
    item = bank.items[4]
    assert item.stem == "发现有人触电时，正确的做法有哪些？"  # [markdown] dropped
    assert [(o.text, o.correct) for o in item.options] == [
        ("迅速拉闸断电", True),
        ("用干燥的木棒挑开电线", True),
        ("直接用手拉开触电者", False),
        ("立即泼水降温", False),
    ]
    assert item.explanation == "先断电，再施救。"


UNSUPPORTED = """// 不支持的题型
::简答::我国安全电压最高为多少伏？{=42 =42V}

::数值::π 约等于多少？{#3.14:0.01}

::匹配::把设备与用途配对。{
=熔断器 -> 短路保护
=漏电保护器 -> 防触电
=接地线 -> 泄放电流
}

::问答::简述触电急救步骤。{}

只是一段说明文字，没有答案部分。

::好题::这道题可以导入：{=是 ~否}
"""


def test_other_gift_types_are_problems_with_their_line_numbers():
    bank = gift.parse(UNSUPPORTED.encode())

    assert located(bank.problems) == [
        (None, 2, None, "不支持的 GIFT 题型：简答题（答案都以 = 开头，没有 ~ 选项）"),
        (None, 4, None, "不支持的 GIFT 题型：数值题（{#…}）"),
        (None, 6, None, "不支持的 GIFT 题型：匹配题（->）"),
        (None, 12, None, "不支持的 GIFT 题型：问答题（{}）"),
        (None, 14, None, "没有答案部分 {…}：不支持说明文字（description）或格式有误"),
    ]
    assert [i.external_id for i in bank.items] == ["好题"]


def test_missing_word_question_and_wrong_keys():
    text = "电流的单位是{=安培 ~伏特}，符号为 A。\n\n::两个等号::{=甲 =乙 ~丙}\n\n::加权::{~%100%甲 ~%0%乙}\n"
    bank = gift.parse(text.encode("gb18030"))

    assert bank.items[0].stem == "电流的单位是 ______ ，符号为 A。"
    assert bank.items[0].correct_labels == ["A"]
    assert located(bank.problems) == [
        (None, 3, None, "单选题必须恰好有 1 个正确答案，现有 2 个"),
        (None, 3, None, "题干不能为空"),
        (None, 5, None, "多选题至少要有 2 个正确答案，现有 1 个"),
        (None, 5, None, "题干不能为空"),
    ]


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"", "文件中没有试题", None),
        (b"// only a comment\n\n", "文件中没有试题", None),
        (b"::t::unfinished {=a ~b\n", "答案部分缺少右花括号 }", 1),
        (b"\n\n::t::two blocks {=a ~b} and {=c ~d}\n", "一道题只能有一组答案 {…}", 3),
        (b"::t::{free text before =a ~b}", "答案部分格式有误：每个答案应以 = 或 ~ 开头", 1),
        (bytes(range(256)), "不是有效的 GIFT 文本文件：无法识别编码", None),
    ],
)
def test_malformed_gift_gives_a_problem(data, message, line):
    bank = gift.parse(data)
    assert [(p.row, str(p.message)) for p in bank.problems] == [(line, message)]
    assert messages(bank.problems) == [message]
