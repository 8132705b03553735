"""Writes to the working-day override table."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.calendar import CalendarOverride
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem


def set_override(day: date, is_working_day: bool, note: str) -> CalendarOverride:
    """Record the official status of ``day`` (a holiday, or a 调休 make-up working day)."""
    if not note.strip():
        raise DomainError(_("请注明依据"), [Problem(_("请注明依据，如国务院办公厅通知文号"), field="note")])
    row = db.session.get(CalendarOverride, day)
    before = audit.snapshot(row, ("is_working_day", "note")) if row else None
    if row is None:
        row = CalendarOverride(day=day)
        db.session.add(row)
    row.is_working_day, row.note = is_working_day, note.strip()
    audit.record(
        "calendar.override",
        object_type="calendar_overrides",
        object_id=day.isoformat(),
        before=before,
        after={"is_working_day": is_working_day, "note": row.note},
    )
    return row


def delete_override(day: date) -> None:
    row = db.session.get(CalendarOverride, day)
    if row is None:
        raise DomainError(_("该日期没有设置"), status=404)
    audit.record(
        "calendar.override_delete",
        object_type="calendar_overrides",
        object_id=day.isoformat(),
        before={"is_working_day": row.is_working_day, "note": row.note},
    )
    db.session.delete(row)
