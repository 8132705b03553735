"""Working days on the official Chinese calendar, including 调休 make-up days.

Precedence for a date: the project's own override table (for years ``chinese-calendar``
does not know yet, or official corrections), then ``chinese-calendar``, then a Monday to
Friday fallback. Any answer that used the fallback is flagged *provisional*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from examsys.core.db import Base, db

Overrides = Mapping[date, bool]


class CalendarOverride(Base):
    """An official working-day decision the installed calendar package does not know."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.String(200), default="")


@dataclass(frozen=True)
class DayAnswer:
    day: date
    provisional: bool


def load_overrides() -> dict[date, bool]:
    """All override rows (a few dozen at most), or none outside an app context."""
    if not has_app_context():
        return {}
    rows = db.session.execute(sa.select(CalendarOverride.day, CalendarOverride.is_working_day))
    return {day: working for day, working in rows}


def is_working_day(day: date, overrides: Overrides | None = None) -> tuple[bool, bool]:
    """Return ``(working, provisional)`` for ``day``."""
    overrides = load_overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day], False
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def shift_working_days(start: date, n: int, overrides: Overrides | None = None) -> DayAnswer:
    """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

    ``start`` itself is not counted; ``n == 0`` returns ``start``.
    """
    overrides = load_overrides() if overrides is None else overrides
    step = timedelta(days=1 if n >= 0 else -1)
    day, remaining, provisional = start, abs(n), False
    while remaining:
        day += step
        working, guessed = is_working_day(day, overrides)
        provisional |= guessed
        remaining -= working
    return DayAnswer(day, provisional)


def working_days_between(earlier: date, later: date, overrides: Overrides | None = None) -> tuple[int, bool]:
    """Working days after ``earlier`` up to and including ``later``; negative if reversed."""
    if later < earlier:
        count, provisional = working_days_between(later, earlier, overrides)
        return -count, provisional
    overrides = load_overrides() if overrides is None else overrides
    count, provisional, day = 0, False, earlier
    while day < later:
        day += timedelta(days=1)
        working, guessed = is_working_day(day, overrides)
        count += working
        provisional |= guessed
    return count, provisional
