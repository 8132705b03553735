"""Scheduled jobs of the document queue."""

from __future__ import annotations

from examsys.core.scheduler import Job
from examsys.modules.documents.queue import run_pending

JOBS = (
    Job("documents.render", 2, run_pending, "Render queued bulk documents (tickets, room papers).", background=True),
)
