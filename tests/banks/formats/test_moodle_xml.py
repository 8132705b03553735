"""Moodle XML quiz exports: multichoice (single and multiple), truefalse, categories, images."""

from __future__ import annotations

import pytest

from examsys.modules.banks.formats import moodle_xml
from examsys.modules.banks.formats.base import MULTIPLE, SINGLE, TRUE_FALSE, Location

from .helpers import SAMPLES, located, messages

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@pytest.fixture(scope="module")
def bank():
    return moodle_xml.parse((SAMPLES / "moodle_quiz.xml").read_bytes(), "moodle_quiz.xml")


def test_export_parses_without_problems(bank):
    assert bank.problems == []
    assert [i.qtype for i in bank.items] == [SINGLE, MULTIPLE, TRUE_FALSE]
    assert {i.source for i in bank.items} == {"安全用电"}  # last part of the category path


def test_single_choice_keeps_html_and_inlines_the_pluginfile_image(bank):
    item = bank.items[0]

    assert item.stem == (
        '<p dir="ltr" style="text-align: left;">下图所示的安全标志表示什么？<br>'
        f'<img src="data:image/png;base64,{PNG}" alt="警告标志" width="40" height="40" role="presentation" '
        'class="img-fluid atto_image_button_text-bottom"></p>'
    )
    assert [(o.label, o.text, o.correct) for o in item.options] == [
        ("A", '<p dir="ltr">禁止合闸，有人工作</p>', False),
        ("B", '<p dir="ltr">当心触电</p>', True),
        ("C", '<p dir="ltr">必须戴安全帽</p>', False),
        ("D", '<p dir="ltr">紧急出口</p>', False),
    ]
    assert item.explanation == "<p>黄色三角形加闪电符号是<b>当心触电</b>警告标志。</p>"
    assert item.external_id == "EL-SAFE-001"  # idnumber
    assert item.location == Location(question="警告标志")


def test_multiple_answers_with_positive_fractions_are_correct(bank):
    item = bank.items[1]

    assert item.stem == "<p>发现有人触电时，下列做法<strong>正确</strong>的有：</p>"
    assert [(o.text, o.correct) for o in item.options] == [
        ("<p>迅速拉闸断电</p>", True),  # 50
        ("<p>用干燥的木棒挑开电线</p>", True),  # 50
        ("<p>直接用手拉开触电者</p>", False),  # -100
    ]
    assert item.external_id == "触电急救"  # no idnumber: the name


def test_truefalse(bank):
    item = bank.items[2]
    assert item.stem == "<p>保护接地适用于中性点不接地的低压电网。</p>"
    assert [(o.label, o.text, o.correct) for o in item.options] == [("T", "正确", True), ("F", "错误", False)]
    assert item.explanation == ""


def test_unsupported_types_refuse_the_file_with_a_problem_each():
    bank = moodle_xml.parse((SAMPLES / "moodle_with_essay.xml").read_bytes())

    assert located(bank.problems) == [
        ("简述触电急救步骤", None, None, "不支持的题型 essay（题目「简述触电急救步骤」）"),
        ("安全电压", None, None, "不支持的题型 shortanswer（题目「安全电压」）"),
    ]
    (item,) = bank.items  # the supported question is still read, for the report
    assert item.stem == "电阻的国际单位是？（R &lt; 1 Ω 时常用 mΩ）"  # plain_text escaped to HTML
    assert item.source == "电工基础"


QUESTION = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="multichoice">
    <name><text>{name}</text></name>
    <questiontext format="html"><text><![CDATA[{stem}]]></text></questiontext>
    <single>{single}</single>
    {answers}
  </question>
</quiz>"""


def question(answers: list[tuple[str, str]], single="true", stem="题干", name="Q1") -> bytes:
    xml_answers = "".join(f'<answer fraction="{f}"><text>{t}</text></answer>' for f, t in answers)
    return QUESTION.format(name=name, stem=stem, single=single, answers=xml_answers).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (question([("100", "甲"), ("100", "乙")]), "单选题必须恰好有 1 个正确答案，现有 2 个（题目「Q1」）"),
        (
            question([("100", "甲"), ("0", "乙")], single="false"),
            "多选题至少要有 2 个正确答案，现有 1 个（题目「Q1」）",
        ),
        (question([("100", "甲")]), "至少需要 2 个选项，现有 1 个（题目「Q1」）"),
        (question([("abc", "甲"), ("0", "乙")]), "答案的 fraction「abc」不是数字（题目「Q1」）"),
        (question([("100", "甲"), ("0", "乙")], stem=""), "题干不能为空（题目「Q1」）"),
    ],
)
def test_invalid_questions(data, message):
    bank = moodle_xml.parse(data)
    assert messages(bank.problems) == [message]
    assert bank.items == []


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "不是有效的 Moodle XML 文件：文件是空的"),
        ((SAMPLES / "moodle_quiz.xml").read_bytes()[:1500], "不是有效的 Moodle XML 文件："),  # truncated
        (bytes(range(256)), "不是有效的 Moodle XML 文件："),
        (b"<questestinterop/>", "不是有效的 Moodle XML 文件：根元素应为 <quiz>，现为 <questestinterop>"),
        (b'<!DOCTYPE q [<!ENTITY a "aaaa">]><quiz>&a;</quiz>', "不是有效的 Moodle XML 文件：不接受声明实体"),
        (b"<quiz></quiz>", "文件中没有试题"),
    ],
)
def test_malformed_files_give_one_problem(data, start):
    bank = moodle_xml.parse(data)
    assert len(bank.problems) == 1
    assert messages(bank.problems)[0].startswith(start)
