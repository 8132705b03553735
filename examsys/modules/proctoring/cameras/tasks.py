"""Scheduled jobs of the camera recordings."""

from __future__ import annotations

from datetime import datetime

from examsys.core.db import db, lock_for_write
from examsys.core.scheduler import Job
from examsys.modules.proctoring.cameras import retention


def purge_expired(now: datetime) -> int:
    """Drop recordings past the retention period (never held ones); files go after the commit."""
    lock_for_write(db.session)
    result = retention.purge(now=now)
    db.session.commit()
    retention.remove_files(result.files)
    return result.segments + result.gaps


JOBS = (
    # Its own transaction, then file removal: a background job, hourly (and at start-up).
    Job("cameras.purge", 3600, purge_expired, "Delete recordings older than the retention period.", background=True),
)
