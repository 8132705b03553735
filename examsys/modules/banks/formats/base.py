"""The neutral shapes every import format parses into, and every export format writes from.

Parsers never touch the database: they turn a file into :class:`ParsedBank` (items, tasks,
knowledge elements) plus a list of :class:`~examsys.core.errors.Problem` naming each bad
row or question (sheet, row, column, reason, in Chinese). The import operation refuses the
whole file when there is any problem, so nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from examsys.core.errors import Problem

# Item types known to the registry (examsys.modules.banks.qtypes); formats map onto these.
SINGLE = "single"  # 单选题
MULTIPLE = "multiple"  # 多选题
TRUE_FALSE = "true_false"  # 判断题

THEORY = "theory"  # 理论知识
SKILL = "skill"  # 技能要求

IMPORTANCE = ("X", "Y", "Z")  # 核心 / 一般 / 辅助


@dataclass
class Location:
    """Where a thing came from, for error messages: a sheet and row, or a question number."""

    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    question: str | None = None

    def problem(self, message: str, column: str | None = None) -> Problem:
        where_row = self.row if self.row is not None else self.line
        return Problem(message, row=where_row, column=column, sheet=self.sheet, question=self.question)


@dataclass
class ParsedOption:
    label: str  # "A", "B", ... (true/false: "T" and "F")
    text: str  # HTML allowed; sanitised by the import operation
    correct: bool = False


@dataclass
class ParsedItem:
    qtype: str  # SINGLE | MULTIPLE | TRUE_FALSE
    stem: str  # HTML allowed
    options: list[ParsedOption]
    location: Location
    element_code: str | None = None  # theory knowledge element (鉴定要素代码)
    difficulty: int | None = None  # 1 (easy) .. 5 (hard)
    explanation: str = ""
    source: str = ""
    external_id: str | None = None  # the other system's identifier, kept for re-imports

    @property
    def correct_labels(self) -> list[str]:
        return [o.label for o in self.options if o.correct]


@dataclass
class ParsedElement:
    """One row of the element list (鉴定要素细目表)."""

    category: str  # THEORY | SKILL
    area_code: str
    area_name: str
    area_weight: float | None  # percent of the category; one value per area
    unit_code: str
    unit_name: str
    code: str
    name: str
    importance: str  # X | Y | Z
    location: Location


@dataclass
class ParsedMarkingItem:
    number: int
    title: str  # 评分项
    points: float  # 配分
    criteria: str  # 评分标准
    deductions: str = ""  # 扣分说明, e.g. "每处错误扣 2 分"
    veto: bool = False  # 否决项: breaking it zeroes the whole task
    location: Location = field(default_factory=Location)


@dataclass
class ParsedTask:
    code: str  # 任务编号
    title: str
    instructions: str
    duration_minutes: int
    points: float  # the task's share of the practical paper (a set totals 100)
    location: Location
    element_codes: list[str] = field(default_factory=list)  # skill elements
    materials: str = ""  # 材料与设备
    station_type: str = ""  # 工位类型
    safety: str = ""  # 安全注意事项
    marking: list[ParsedMarkingItem] = field(default_factory=list)


@dataclass
class ParsedBank:
    items: list[ParsedItem] = field(default_factory=list)
    elements: list[ParsedElement] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
