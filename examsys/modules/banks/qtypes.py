"""The registry of theory question types: each validates its key, scores a response, names
its template. Delivery, scoring and statistics call the registry, never a type directly."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Scoring:
    partial_credit: bool = False  # multiple choice: fraction for a subset with no wrong pick


class QuestionType:
    key: ClassVar[str]
    title: ClassVar[str]
    template: ClassVar[str]
    min_options: ClassVar[int] = 2

    def check(self, labels: list[str], correct: list[str]) -> list[str]:
        """Problems with an item's options/key, as Chinese messages (empty when fine)."""
        problems = []
        if len(labels) < self.min_options:
            problems.append(str(_l("至少需要 %(n)d 个选项", n=self.min_options)))
        unknown = [c for c in correct if c not in labels]
        if unknown:
            problems.append(str(_l("答案 %(a)s 不在选项中", a="".join(unknown))))
        return problems

    def score(self, correct: list[str], response: list[str], points: Decimal, scoring: Scoring) -> Decimal:
        return points if sorted(set(response)) == sorted(correct) else Decimal(0)


class SingleChoice(QuestionType):
    key, title, template = "single", _l("单选题"), "single"

    def check(self, labels, correct):
        problems = super().check(labels, correct)
        if len(correct) != 1:
            problems.append(str(_l("单选题必须恰好有 1 个正确答案，现有 %(n)d 个", n=len(correct))))
        return problems


class MultipleChoice(QuestionType):
    key, title, template = "multiple", _l("多选题"), "multiple"

    def check(self, labels, correct):
        problems = super().check(labels, correct)
        if len(correct) < 2:
            problems.append(str(_l("多选题至少要有 2 个正确答案，现有 %(n)d 个", n=len(correct))))
        return problems

    def score(self, correct, response, points, scoring):
        chosen = set(response)
        if chosen == set(correct):
            return points
        if scoring.partial_credit and chosen and chosen < set(correct):
            return (points * len(chosen) / len(correct)).quantize(Decimal("0.01"))
        return Decimal(0)


class TrueFalse(QuestionType):
    key, title, template = "true_false", _l("判断题"), "true_false"

    def check(self, labels, correct):
        problems = []
        if sorted(labels) != ["F", "T"]:
            problems.append(str(_l("判断题的选项必须是“正确/错误”")))
        if len(correct) != 1 or correct[0] not in {"T", "F"}:
            problems.append(str(_l("判断题的答案必须是“正确”或“错误”")))
        return problems


REGISTRY: dict[str, QuestionType] = {t.key: t for t in (SingleChoice(), MultipleChoice(), TrueFalse())}


def get_type(key: str) -> QuestionType:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown question type {key!r}") from None


def type_choices() -> list[tuple[str, str]]:
    return [(key, str(qtype.title)) for key, qtype in REGISTRY.items()]
