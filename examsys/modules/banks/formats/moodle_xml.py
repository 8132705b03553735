"""Moodle XML quiz export: ``multichoice`` and ``truefalse`` questions.

``category`` pseudo-questions set the source (last part of the category path) of the
questions after them. Any other question type is a problem: the file is refused rather than
imported without some of its questions. Images stored as ``<file encoding="base64">`` are
inlined as ``data:`` URIs where the text refers to them as ``@@PLUGINFILE@@/name``.
"""

from __future__ import annotations

import mimetypes
import xml.etree.ElementTree as ET
from html import escape
from urllib.parse import quote

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem

from .base import MULTIPLE, SINGLE, TRUE_FALSE, Location, ParsedBank, ParsedItem, ParsedOption
from .common import LETTERS, check_options, last_path_part, true_false_options
from .xmlutil import XMLRefused, parse_xml

SUPPORTED = ("multichoice", "truefalse")
PLUGINFILE = "@@PLUGINFILE@@"


def parse(data: bytes, filename: str = "") -> ParsedBank:
    """Items from a Moodle XML file, and every problem found in it."""
    bank = ParsedBank()
    try:
        root = parse_xml(data)
    except XMLRefused as exc:
        bank.problems.append(Problem(_l("不是有效的 Moodle XML 文件：%(error)s", error=str(exc))))
        return bank
    if root.tag != "quiz":
        bank.problems.append(Problem(_l("不是有效的 Moodle XML 文件：根元素应为 <quiz>，现为 <%(tag)s>", tag=root.tag)))
        return bank
    source = ""
    for number, question in enumerate(root.iter("question"), start=1):
        kind = question.get("type", "")
        if kind == "category":
            source = last_path_part(question.findtext("category/text") or "")
            continue
        item = _question(question, number, source, bank.problems)
        if item is not None:
            bank.items.append(item)
    if not bank.items and not bank.problems:
        bank.problems.append(Problem(_l("文件中没有试题")))
    return bank


def _question(question: ET.Element, number: int, source: str, problems: list[Problem]) -> ParsedItem | None:
    kind = question.get("type", "")
    name = (question.findtext("name/text") or "").strip() or str(_l("第 %(n)d 题", n=number))
    location = Location(question=name)
    if kind not in SUPPORTED:
        problems.append(location.problem(_l("不支持的题型 %(type)s（题目「%(name)s」）", type=kind or "?", name=name)))
        return None
    try:
        options = _truefalse(question) if kind == "truefalse" else _answers(question)
    except ValueError as exc:
        problems.append(location.problem(_l("%(problem)s（题目「%(name)s」）", problem=str(exc), name=name)))
        return None
    qtype = TRUE_FALSE if kind == "truefalse" else SINGLE if _single(question) else MULTIPLE
    stem = rich_text(question.find("questiontext"))
    messages = check_options(qtype, options) + ([] if stem else [_l("题干不能为空")])
    for message in messages:
        problems.append(location.problem(_l("%(problem)s（题目「%(name)s」）", problem=message, name=name)))
    if messages:
        return None
    return ParsedItem(
        qtype=qtype,
        stem=stem,
        options=options,
        location=location,
        explanation=rich_text(question.find("generalfeedback")),
        source=source,
        external_id=(question.findtext("idnumber") or "").strip() or name,
    )


def _single(question: ET.Element) -> bool:
    return (question.findtext("single") or "true").strip().lower() in ("true", "1")


def _fraction(answer: ET.Element) -> float:
    value = answer.get("fraction", "0")
    try:
        return float(value)
    except ValueError:
        raise ValueError(str(_l("答案的 fraction「%(value)s」不是数字", value=value))) from None


def _answers(question: ET.Element) -> list[ParsedOption]:
    answers = question.findall("answer")
    if len(answers) > len(LETTERS):
        raise ValueError(str(_l("选项太多（%(n)d 个），最多 26 个", n=len(answers))))
    return [
        ParsedOption(LETTERS[index], rich_text(answer), correct=_fraction(answer) > 0)
        for index, answer in enumerate(answers)
    ]


def _truefalse(question: ET.Element) -> list[ParsedOption]:
    correct = [a for a in question.findall("answer") if _fraction(a) > 0]
    if len(correct) != 1:
        raise ValueError(str(_l("判断题应恰好有一个得分的答案，现有 %(n)d 个", n=len(correct))))
    word = (correct[0].findtext("text") or "").strip().lower()
    return true_false_options(word in ("true", "正确", "对", "t", "1"))


def rich_text(element: ET.Element | None) -> str:
    """The HTML of a Moodle text field (``questiontext``, ``answer``, ``generalfeedback``),
    with its embedded files inlined as ``data:`` URIs."""
    if element is None:
        return ""
    text = element.findtext("text") or ""
    text_format = element.get("format", "html")
    if text_format == "plain_text":
        text = escape(text, quote=False).replace("\n", "<br>")
    elif text_format == "moodle_auto_format":
        text = text.strip().replace("\n", "<br>")
    for embedded in element.findall("file"):
        text = _inline(text, embedded)
    return text.strip()


def _inline(text: str, embedded: ET.Element) -> str:
    name = embedded.get("name", "")
    if not name or embedded.get("encoding", "base64") != "base64":
        return text
    path = embedded.get("path") or "/"
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    uri = f"data:{mime};base64,{''.join((embedded.text or '').split())}"
    for reference in dict.fromkeys((name, quote(name), quote(name, safe="/"))):
        text = text.replace(f"{PLUGINFILE}{path}{reference}", uri)
    return text
