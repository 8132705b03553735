"""Domain errors: raised by operations, shown to users in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _


@dataclass
class Problem:
    """One thing wrong with an input: where (field, or sheet/row/column) and what."""

    message: str
    field: str | None = None
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    question: str | None = None  # a question's name or identifier in XML/text formats

    def where(self) -> str:
        parts = []
        if self.question:
            parts.append(_("题目「%(q)s」", q=self.question))
        if self.sheet:
            parts.append(_("工作表「%(sheet)s」", sheet=self.sheet))
        if self.row is not None:
            parts.append(_("第 %(row)d 行", row=self.row))
        if self.column:
            parts.append(_("「%(column)s」列", column=self.column))
        # ``field`` is a form/API key for placing the message, not something to show people.
        return " ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return _("%(where)s：%(message)s", where=where, message=self.message) if where else str(self.message)

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
