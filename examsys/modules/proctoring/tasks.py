"""Scheduled jobs of proctoring."""

from __future__ import annotations

from examsys.core.scheduler import Job
from examsys.modules.proctoring.operations import mark_absent_everywhere

JOBS = (
    Job(
        "proctoring.mark_absent",
        60,
        mark_absent_everywhere,
        "Mark absent everyone not in after the late-entry cut-off.",
    ),
)
