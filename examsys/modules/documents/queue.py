"""The document job queue: enqueue from a page, render in the scheduler process, download.

Rendering thousands of pages takes tens of seconds, so it never runs inside a web request
and never holds the SQLite write lock: the worker claims a job in one short transaction,
reads what it needs into plain dicts, lays the pages out with no transaction open, and
commits its progress after every chunk (the page's progress bar polls it). A job left
``running`` by a crashed worker is taken up again once its heartbeat is stale.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit, media, pdf
from examsys.core.db import db, get_or_404, lock_for_write, utcnow
from examsys.core.errors import DomainError
from examsys.document_kinds import DOCUMENT_KINDS
from examsys.modules.documents.models import DocumentJob, JobStatus
from examsys.modules.documents.progress import Progress, Renderer

log = logging.getLogger(__name__)
STALE = timedelta(minutes=5)


def renderers() -> dict[str, Renderer]:
    return DOCUMENT_KINDS


def enqueue(kind: str, params: dict[str, Any], title: str, user_id: int | None = None) -> DocumentJob:
    """Queue a document; an identical job still queued or running is returned instead of a second one."""
    if kind not in renderers():
        raise DomainError(_("未知的文档类型：%(kind)s", kind=kind))
    pending = db.session.scalars(
        sa.select(DocumentJob).where(
            DocumentJob.kind == kind, DocumentJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING])
        )
    )
    for job in pending:
        if job.params == params:
            return job
    job = DocumentJob(kind=kind, params=params, title=title, created_by_id=user_id)
    db.session.add(job)
    audit.record("document.queue", job, after={"kind": kind, "params": params, "title": title})
    return job


def get_job(job_id: int) -> DocumentJob:
    return get_or_404(DocumentJob, job_id, _("没有这个文档任务"))


def recent_jobs(kind: str | None = None, limit: int = 20) -> list[DocumentJob]:
    query = sa.select(DocumentJob).order_by(DocumentJob.id.desc()).limit(limit)
    if kind:
        query = query.where(DocumentJob.kind == kind)
    return list(db.session.scalars(query))


def claim(now: datetime | None = None) -> DocumentJob | None:
    """Take the oldest queued job (or one whose worker died) and mark it running; commits."""
    now = now or utcnow()
    lock_for_write(db.session)
    job = db.session.scalar(
        sa.select(DocumentJob)
        .where(
            sa.or_(
                DocumentJob.status == JobStatus.QUEUED,
                sa.and_(DocumentJob.status == JobStatus.RUNNING, DocumentJob.heartbeat_at < now - STALE),
            )
        )
        .order_by(DocumentJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if job is None:
        db.session.rollback()
        return None
    job.status, job.started_at, job.heartbeat_at, job.error = JobStatus.RUNNING, now, now, ""
    db.session.commit()
    return job


def run(job: DocumentJob) -> DocumentJob:
    """Render ``job`` now (the worker calls this after :func:`claim`); failures are recorded, not raised."""
    renderer = renderers()[job.kind]
    try:
        output = renderer(dict(job.params), Progress(job))
    except Exception as exc:  # a job that fails says why on its page; the worker goes on
        log.exception("document job %s failed", job.id)
        db.session.rollback()
        job.status, job.error, job.finished_at = JobStatus.FAILED, _describe(exc), utcnow()
        db.session.commit()
        return job
    job.result_path = media.store_bytes("documents", output.data, _suffix(output.filename))
    job.result_name = output.filename
    job.status, job.finished_at = JobStatus.DONE, utcnow()
    job.done = job.total = max(job.total, job.done)
    db.session.commit()
    return job


def run_pending(now: datetime | None = None) -> int:
    """Render every queued job, one after another (the scheduler's background job)."""
    pdf.prepare_workers()  # first call starts the PDF fork server; later calls find it running
    count = 0
    while (job := claim(now)) is not None:
        run(job)
        count += 1
    return count


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1] if "." in filename else ""
