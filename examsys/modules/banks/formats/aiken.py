"""Aiken (single choice only): question line(s), ``A.`` or ``A)`` option lines, ``ANSWER: B``.

Questions are separated by blank lines (a blank line between the question and its options
is tolerated). Full-width ``．``, ``、``, ``）`` and ``：`` are accepted as Chinese editors type them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem
from examsys.core.spreadsheets import decode_text

from .base import SINGLE, Location, ParsedBank, ParsedItem, ParsedOption
from .common import LETTERS

_OPTION = re.compile(r"^([A-Z])\s*[.)．、）]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.I)


@dataclass
class _Question:
    line: int
    stem: list[str] = field(default_factory=list)
    options: list[tuple[int, str, str]] = field(default_factory=list)  # (line, label, text)


def parse(data: bytes, filename: str = "") -> ParsedBank:
    """Single-choice items from an Aiken file, and every problem found in it."""
    bank = ParsedBank()
    text = decode_text(data)
    if text is None or "\x00" in text:
        bank.problems.append(Problem(_l("不是有效的 Aiken 文本文件：无法识别编码")))
        return bank
    _Reader(bank).read(text.splitlines())
    if not bank.items and not bank.problems:
        bank.problems.append(Problem(_l("文件中没有试题")))
    return bank


class _Reader:
    def __init__(self, bank: ParsedBank):
        self.bank = bank
        self.question: _Question | None = None

    def report(self, line: int, message) -> None:
        self.bank.problems.append(Location(line=line).problem(message))

    def read(self, lines: list[str]) -> None:
        for number, raw in enumerate(lines, start=1):
            self._line(number, raw.strip())
        if self.question is not None:
            self._unfinished()

    def _line(self, number: int, line: str) -> None:
        question = self.question
        if not line:
            if question is not None and question.options:
                self._unfinished()
            return
        answer = _ANSWER.match(line)
        if question is None and answer:
            self.report(number, _l("答案行前面没有题目"))
        elif question is None:
            self.question = _Question(number, [line])
        elif answer:
            self._finish(number, answer.group(1).strip())
        elif (option := _OPTION.match(line)) and question.stem:
            question.options.append((number, option.group(1), option.group(2).strip()))
        elif question.options:
            self.report(number, _l("这一行既不是选项（如“A. …”）也不是答案行（“ANSWER: B”）"))
        else:
            question.stem.append(line)

    def _unfinished(self) -> None:
        self.report(self.question.line, _l("这道题缺少答案行（如“ANSWER: B”）"))
        self.question = None

    def _finish(self, number: int, answer: str) -> None:
        question, self.question = self.question, None
        labels = [label for _, label, _ in question.options]
        ok = True
        if len(labels) < 2:
            self.report(question.line, _l("至少需要 2 个选项，现有 %(n)d 个", n=len(labels)))
            ok = False
        for index, (line, label, text) in enumerate(question.options):
            if label != LETTERS[index]:
                self.report(
                    line,
                    _l(
                        "选项应依次为 A、B、C……，这里应为 %(expected)s，现为 %(label)s",
                        expected=LETTERS[index],
                        label=label,
                    ),
                )
                ok = False
            elif not text:
                self.report(line, _l("选项 %(label)s 的内容为空", label=label))
                ok = False
        key = answer.upper()
        if key not in labels or len(key) != 1:
            self.report(
                number,
                _l(
                    "答案「%(answer)s」不是本题的选项字母（本题选项：%(labels)s）",
                    answer=answer,
                    labels="、".join(labels) or "—",
                ),
            )
            ok = False
        if ok:
            options = [ParsedOption(label, text, correct=label == key) for _, label, text in question.options]
            stem = "<br>".join(question.stem)
            self.bank.items.append(ParsedItem(SINGLE, stem, options, Location(line=question.line)))
