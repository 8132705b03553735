"""Scheduled jobs of the machine test."""

from __future__ import annotations

from datetime import datetime

from examsys.core.scheduler import Job
from examsys.modules.delivery.submission import submit_overdue


def _submit_overdue(now: datetime) -> int:
    return submit_overdue(now)


JOBS = (Job("delivery.submit_overdue", 5, _submit_overdue, "Submit every open attempt whose deadline has passed."),)
