"""Helpers shared by the import formats: cell text, decoding, true/false words, item checks.

The spreadsheet-like formats (the xlsx workbook and CSV) read an item from a row of cells
keyed by column header (:func:`read_item`); the question formats (Moodle XML, GIFT, Aiken,
QTI) build options themselves and validate them with :func:`check_options`.
"""

from __future__ import annotations

import re
import string
import unicodedata
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l

from examsys.core.errors import Problem

from .base import MULTIPLE, SINGLE, SKILL, THEORY, TRUE_FALSE, Location, ParsedItem, ParsedOption

LETTERS = string.ascii_uppercase
OPTION_HEADER = "选项"
TRUE_WORDS = frozenset({"正确", "对", "√", "✓", "✔", "t", "true", "是"})
FALSE_WORDS = frozenset({"错误", "错", "×", "✗", "✘", "f", "false", "否"})
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/|]+")


def cell_text(value: object) -> str:
    """A cell as stripped text: whole floats without ".0", dates as ISO, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def header_key(value: object) -> str:
    """A column header normalised for matching: full-width to half-width, no spaces."""
    return re.sub(r"[\s\ufeff]+", "", unicodedata.normalize("NFKC", cell_text(value)))


def truth_value(value: object) -> bool | None:
    """正确/错误, 对/错, √/×, T/F, TRUE/FALSE, 是/否 (any case) as a bool; None otherwise."""
    if isinstance(value, bool):
        return value
    word = cell_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def true_false_options(is_true: bool) -> list[ParsedOption]:
    return [ParsedOption("T", "正确", correct=is_true), ParsedOption("F", "错误", correct=not is_true)]


def last_path_part(path: str) -> str:
    """The last part of a category path such as ``$course$/top/安全生产`` ("//" is a slash)."""
    parts = re.split(r"(?<!/)/(?!/)", path.strip())
    return parts[-1].replace("//", "/").strip() if parts else ""


def check_options(qtype: str, options: list[ParsedOption]) -> list[str]:
    """Problems with an item's options and key, as messages (empty when fine)."""
    if qtype == TRUE_FALSE:
        if sorted(o.label for o in options) != ["F", "T"] or sum(o.correct for o in options) != 1:
            return [_l("判断题必须恰好有“正确”“错误”两个选项，且只有一个是答案")]
        return []
    problems = []
    if any(not o.text for o in options):
        problems.append(_l("选项内容不能为空"))
    if len(options) < 2:
        problems.append(_l("至少需要 2 个选项，现有 %(n)d 个", n=len(options)))
    correct = sum(o.correct for o in options)
    if qtype == SINGLE and correct != 1:
        problems.append(_l("单选题必须恰好有 1 个正确答案，现有 %(n)d 个", n=correct))
    if qtype == MULTIPLE and correct < 2:
        problems.append(_l("多选题至少要有 2 个正确答案，现有 %(n)d 个", n=correct))
    return problems


class Row:
    """One spreadsheet row: cells by column header, its location, and where problems go."""

    __slots__ = ("cells", "location", "problems")

    def __init__(self, cells: dict[str, object], location: Location, problems: list[Problem]):
        self.cells = cells
        self.location = location
        self.problems = problems

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))

    def report(self, message: str, column: str | None = None) -> None:
        self.problems.append(self.location.problem(message, column))

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            self.report(_l("「%(column)s」不能为空", column=column), column)
        return value

    def number(self, column: str, *, required: bool = True) -> float | None:
        value = self.cells.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = cell_text(value)
        if not text:
            if required:
                self.required(column)
            return None
        try:
            return float(text)
        except ValueError:
            self.report(_l("「%(column)s」应为数字，现为「%(value)s」", column=column, value=text), column)
            return None

    def whole(self, column: str, low: int, high: int | None = None, *, required: bool = True) -> int | None:
        """A whole number in [low, high]; None (reported when wrong, or required and empty)."""
        text = self.text(column)
        if not text:
            if required:
                self.required(column)
            return None
        number = self.number(column)
        if number is None:
            return None
        if not number.is_integer() or number < low or (high is not None and number > high):
            span = f"{low}–{high}" if high is not None else f"≥{low}"
            self.report(
                _l("「%(column)s」应为 %(span)s 的整数，现为「%(value)s」", column=column, span=span, value=text),
                column,
            )
            return None
        return int(number)


def read_item(row: Row, qtype: str) -> ParsedItem | None:
    """An item from a 单选题/多选题/判断题 row; None (with problems reported) when it is wrong."""
    before = len(row.problems)
    stem = row.required("题干")
    options = _true_false(row) if qtype == TRUE_FALSE else _choices(row, qtype)
    difficulty = row.whole("难度", 1, 5, required=False)
    if len(row.problems) > before or options is None:
        return None
    return ParsedItem(
        qtype=qtype,
        stem=stem,
        options=options,
        location=row.location,
        element_code=row.text("鉴定要素代码") or None,
        difficulty=difficulty,
        explanation=row.text("解析"),
        source=row.text("来源"),
    )


def _true_false(row: Row) -> list[ParsedOption] | None:
    raw = row.cells.get("答案")
    if not cell_text(raw):
        row.report(_l("「答案」不能为空，应为“正确”或“错误”"), "答案")
        return None
    value = truth_value(raw)
    if value is None:
        row.report(
            _l(
                "判断题答案应为“正确”或“错误”（也可写 对/错、√/×、T/F、是/否），现为「%(value)s」", value=cell_text(raw)
            ),
            "答案",
        )
        return None
    return true_false_options(value)


def option_columns(cells: dict[str, object]) -> list[str]:
    """The 选项A, 选项B … columns present, in letter order."""
    letters = sorted(h[len(OPTION_HEADER) :] for h in cells if h.startswith(OPTION_HEADER) and len(h) == 3)
    return [OPTION_HEADER + letter for letter in letters if letter in LETTERS]


def _choices(row: Row, qtype: str) -> list[ParsedOption] | None:
    texts = [(column[-1], row.text(column)) for column in option_columns(row.cells)]
    while texts and not texts[-1][1]:
        texts.pop()
    for letter, text in texts:
        if not text:
            row.report(
                _l("选项%(letter)s为空，但后面还有选项；选项应从 A 起连续填写", letter=letter), OPTION_HEADER + letter
            )
            return None
    if len(texts) < 2:
        column = OPTION_HEADER + LETTERS[len(texts)]
        row.report(_l("至少需要 2 个选项，现有 %(n)d 个", n=len(texts)), column)
        return None
    key = _answer_letters(row, [letter for letter, _ in texts], qtype)
    if key is None:
        return None
    return [ParsedOption(letter, text, correct=letter in key) for letter, text in texts]


def _answer_letters(row: Row, labels: list[str], qtype: str) -> set[str] | None:
    answer = row.text("答案")
    letters = _ANSWER_SEPARATORS.sub("", unicodedata.normalize("NFKC", answer)).upper()
    if not letters:
        row.report(_l("「答案」不能为空，应填选项字母，如 A 或 ABD"), "答案")
        return None
    if any(c not in LETTERS for c in letters):
        row.report(_l("答案应为选项字母，如 A 或 ABD，现为「%(value)s」", value=answer), "答案")
        return None
    missing = [c for c in dict.fromkeys(letters) if c not in labels]
    if missing:
        row.report(_l("答案中的 %(letters)s 不在选项中（该选项为空或不存在）", letters="、".join(missing)), "答案")
        return None
    key = set(letters)
    if qtype == SINGLE and len(key) != 1:
        row.report(_l("单选题只能有 1 个答案，现为「%(value)s」", value=answer), "答案")
        return None
    if qtype == MULTIPLE and len(key) < 2:
        row.report(_l("多选题至少要有 2 个正确答案，现为「%(value)s」", value=answer), "答案")
        return None
    return key


def check_element(row: Row, column: str, code: str, codes: dict[str, set[str]], category: str) -> None:
    """``code`` must be an element of ``category`` listed on the 鉴定要素 sheet."""
    if not code:
        row.required(column)
    elif code not in codes[category]:
        other = SKILL if category == THEORY else THEORY
        if code in codes[other]:
            message = (
                _l("%(code)s 是技能要求要素，试题只能关联理论知识要素", code=code)
                if category == THEORY
                else _l("%(code)s 是理论知识要素，实操任务只能关联技能要求要素", code=code)
            )
        else:
            message = _l("鉴定要素 %(code)s 在「鉴定要素」工作表中不存在", code=code)
        row.report(message, column)
