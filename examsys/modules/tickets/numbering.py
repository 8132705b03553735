"""Ticket numbers (准考证号): a format the centre chooses, filled in once and never changed.

The format is a Python format string over these fields (zero-padding with ``:02d`` etc.):

``year``   the year of the plan's first session      ``plan``  the plan's id
``batch``  the application's batch id                ``level`` the level (1-5)
``room``   the candidate's room, numbered 1.. in the plan (labs by code, then venues)
``seat``   the seat (or station) in that room, numbered 1.. row by row
``seq``    the order of issue within the plan, 1..

The default ``{year}{plan:03d}{room:02d}{seat:02d}`` reads year + plan + room + seat, so the
number says where the candidate sits. Numbers are stable: a later seat move keeps the number.
Because of that, a new candidate may later land on a seat whose number is already taken; that
candidate's room field becomes 99 (``OVERFLOW_ROOM``) with the next free seat field, so a
number is never issued twice and the 99 tells the desk the number came after the first issue.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from flask_babel import gettext as _

from examsys.core.errors import DomainError, Problem

FIELDS = frozenset({"year", "plan", "batch", "level", "room", "seat", "seq"})
OVERFLOW_ROOM = 99
MAX_LENGTH = 40


@dataclass(frozen=True)
class Slot:
    """Where one candidate sits for numbering purposes."""

    year: int
    plan: int
    batch: int
    level: int
    room: int
    seat: int
    seq: int


def check_format(fmt: str) -> None:
    """Refuse a format with unknown fields, bad syntax, or no way to tell two candidates apart."""
    problem = _format_problem(fmt)
    if problem:
        raise DomainError(problem, [Problem(problem, field="number_format")])


def _format_problem(fmt: str) -> str | None:
    try:
        parsed = [name for _text, name, _spec, _conv in string.Formatter().parse(fmt) if name is not None]
    except ValueError as exc:
        return _("准考证号格式有误：%(error)s", error=str(exc))
    unknown = sorted(set(parsed) - FIELDS)
    if unknown:
        return _("准考证号格式中有未知字段：%(fields)s（可用：%(allowed)s）",
                 fields="、".join(unknown), allowed="、".join(sorted(FIELDS)))  # fmt: skip
    if "seq" not in parsed and not {"room", "seat"} <= set(parsed):
        return _("准考证号格式须含 {seq}，或同时含 {room} 和 {seat}，才能区分每位考生")
    try:
        sample = render(fmt, Slot(2026, 999, 999, 4, OVERFLOW_ROOM, 999, 9999))
    except (ValueError, TypeError) as exc:
        return _("准考证号格式有误：%(error)s", error=str(exc))
    if len(sample) > MAX_LENGTH:
        return _("准考证号过长（最多 %(n)d 位）", n=MAX_LENGTH)
    return None


def render(fmt: str, slot: Slot) -> str:
    return fmt.format(**slot.__dict__)


def assign(fmt: str, slots: list[tuple[object, Slot]], taken: set[str]) -> dict[object, str]:
    """Numbers for ``slots`` (key, slot) in the given order, none of them in ``taken`` (updated)."""
    check_format(fmt)
    numbers: dict[object, str] = {}
    overflow = 0
    for key, slot in slots:
        number = render(fmt, slot)
        while number in taken:
            overflow += 1
            number = render(fmt, Slot(**{**slot.__dict__, "room": OVERFLOW_ROOM, "seat": overflow}))
        taken.add(number)
        numbers[key] = number
    return numbers
