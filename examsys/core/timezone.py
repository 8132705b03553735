"""The centre's local time: dates of sessions and deadlines are the local calendar's dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def local_zone() -> ZoneInfo:
    name = current_app.config.get("DISPLAY_TIMEZONE", DEFAULT_TIMEZONE) if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(local_zone())


def local_date(moment: datetime) -> date:
    """The calendar date of ``moment`` where the exam takes place."""
    return to_local(moment).date()


def from_local(moment: datetime) -> datetime:
    """A naive local wall-clock time (as typed into a form or spreadsheet) as an aware UTC time."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return moment.replace(tzinfo=local_zone()).astimezone(UTC)
