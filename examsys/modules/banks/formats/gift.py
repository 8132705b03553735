"""GIFT (Moodle's text format): multiple choice, multiple answers and true/false.

Questions are separated by blank lines; ``//`` lines are comments; ``$CATEGORY:`` sets the
source of the questions after it; ``::title::`` becomes the external id; ``[html]`` and the
other format markers are dropped; ``####`` gives the general feedback (explanation).
``{=right ~wrong}`` is a single-choice item (only ``=`` answers are correct; partial credit
on ``~%50%`` answers is not kept), ``{~%50%a ~%50%b ~%-100%c}`` (no ``=``) a multiple-choice
item whose positively weighted answers are correct. Other GIFT types are problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem
from examsys.core.spreadsheets import decode_text

from .base import MULTIPLE, SINGLE, TRUE_FALSE, Location, ParsedBank, ParsedItem, ParsedOption
from .common import LETTERS, check_options, last_path_part, true_false_options

ESCAPABLE = "~=#{}:\\n"
_PLACEHOLDER_BASE = 0xE000  # private-use characters stand in for escaped ones while parsing
_ESCAPE = re.compile(r"\\([~=#{}:\\n])")
_RESTORE = {_PLACEHOLDER_BASE + i: c for i, c in enumerate(ESCAPABLE.replace("n", "\n"))}
_TITLE = re.compile(r"\s*::(.*?)::", re.S)
_MARKER = re.compile(r"^\s*\[(?:html|moodle|markdown|plain)\]", re.I)
_TRUE_FALSE = re.compile(r"(T|F|TRUE|FALSE)\s*(#.*)?", re.S | re.I)
_ANSWER = re.compile(r"([~=])([^~=]*)")
_WEIGHT = re.compile(r"\s*%(-?\d+(?:\.\d+)?)%")
MISSING_WORD = "______"


class GiftProblem(ValueError):
    """A question that cannot be imported; the message says why."""


def _hide(match: re.Match) -> str:
    return chr(_PLACEHOLDER_BASE + ESCAPABLE.index(match.group(1)))


def _clean(text: str) -> str:
    """Text with its format marker dropped and escaped characters restored, stripped."""
    return _MARKER.sub("", text).translate(_RESTORE).strip()


def _blocks(text: str) -> Iterator[tuple[int, str, str]]:
    """(first line number, question text, category) for each question in the file."""
    lines: list[str] = []
    start = 0
    source = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if stripped.upper().startswith("$CATEGORY:") or not stripped:
            if lines:
                yield start, "\n".join(lines), source
                lines = []
            if stripped:
                source = last_path_part(stripped.split(":", 1)[1])
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, "\n".join(lines), source


def parse(data: bytes, filename: str = "") -> ParsedBank:
    """Items from a GIFT file, and every problem found in it (with line numbers)."""
    bank = ParsedBank()
    text = decode_text(data)
    if text is None or "\x00" in text:
        bank.problems.append(Problem(_l("不是有效的 GIFT 文本文件：无法识别编码")))
        return bank
    for line, block, source in _blocks(_ESCAPE.sub(_hide, text)):
        location = Location(line=line)
        try:
            item = _question(block, location)
        except GiftProblem as exc:
            bank.problems.append(location.problem(str(exc)))
            continue
        messages = check_options(item.qtype, item.options) + ([] if item.stem else [_l("题干不能为空")])
        bank.problems.extend(location.problem(message) for message in messages)
        if not messages:
            item.source = source
            bank.items.append(item)
    if not bank.items and not bank.problems:
        bank.problems.append(Problem(_l("文件中没有试题")))
    return bank


def _question(block: str, location: Location) -> ParsedItem:
    title = None
    match = _TITLE.match(block)
    if match:
        title, block = _clean(match.group(1)) or None, block[match.end() :]
    opening = block.find("{")
    if opening < 0:
        raise GiftProblem(_l("没有答案部分 {…}：不支持说明文字（description）或格式有误"))
    closing = block.find("}", opening)
    if closing < 0:
        raise GiftProblem(_l("答案部分缺少右花括号 }"))
    before, answers, after = block[:opening], block[opening + 1 : closing], block[closing + 1 :]
    if "{" in after:
        raise GiftProblem(_l("一道题只能有一组答案 {…}"))
    stem = _clean(before)
    if after.strip():
        stem = f"{stem} {MISSING_WORD} {_clean(after)}"
    answers, explanation = answers.partition("####")[::2]
    qtype, options = _answers(answers)
    return ParsedItem(
        qtype=qtype,
        stem=stem,
        options=options,
        location=location,
        explanation=_clean(explanation),
        external_id=title,
    )


def _answers(text: str) -> tuple[str, list[ParsedOption]]:
    body = text.strip()
    if not body:
        raise GiftProblem(_l("不支持的 GIFT 题型：问答题（{}）"))
    if body.startswith("#"):
        raise GiftProblem(_l("不支持的 GIFT 题型：数值题（{#…}）"))
    match = _TRUE_FALSE.fullmatch(body)
    if match:
        return TRUE_FALSE, true_false_options(match.group(1).upper().startswith("T"))
    if "->" in body:
        raise GiftProblem(_l("不支持的 GIFT 题型：匹配题（->）"))
    first = re.search(r"[~=]", body)
    if first is None or body[: first.start()].strip():
        raise GiftProblem(_l("答案部分格式有误：每个答案应以 = 或 ~ 开头"))
    parts = _ANSWER.findall(body)
    if not any(marker == "~" for marker, _ in parts):
        raise GiftProblem(_l("不支持的 GIFT 题型：简答题（答案都以 = 开头，没有 ~ 选项）"))
    if len(parts) > len(LETTERS):
        raise GiftProblem(_l("选项太多（%(n)d 个），最多 26 个", n=len(parts)))
    single = any(marker == "=" for marker, _ in parts)
    options = [_option(LETTERS[i], marker, answer, single) for i, (marker, answer) in enumerate(parts)]
    return (SINGLE if single else MULTIPLE), options


def _option(label: str, marker: str, answer: str, single: bool) -> ParsedOption:
    weight = _WEIGHT.match(answer)
    if weight:
        answer = answer[weight.end() :]
    text = answer.split("#", 1)[0]  # per-answer feedback is not kept
    correct = marker == "=" if single else weight is not None and float(weight.group(1)) > 0
    return ParsedOption(label, _clean(text), correct=correct)
