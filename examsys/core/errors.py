"""Domain errors: raised by operations, shown to users in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with an input: where (field, or sheet/row/column) and what."""

    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"「{self.column}」列")
        elif self.field:
            parts.append(self.field)
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}：{self.message}" if where else str(self.message)

    def as_dict(self) -> dict:
        return {k: (str(v) if k == "message" else v) for k, v in self.__dict__.items() if v is not None}


@dataclass
class DomainError(Exception):
    """A rule was broken; ``problems`` lists every one found, not just the first."""

    message: str
    problems: list[Problem] = field(default_factory=list)
    status: int = 422

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    def __init__(self, message: str):
        super().__init__(message, status=404)


class Forbidden(DomainError):
    def __init__(self, message: str):
        super().__init__(message, status=403)
