"""A bulk document job: what to render, how far it got, and the file it produced."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from examsys.core.db import Base, IdMixin, enum_type, utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def title(self) -> str:
        return str(JOB_STATUS_TITLES[self])


JOB_STATUS_TITLES = {
    JobStatus.QUEUED: _l("排队中"),
    JobStatus.RUNNING: _l("生成中"),
    JobStatus.DONE: _l("已完成"),
    JobStatus.FAILED: _l("失败"),
}


class DocumentJob(IdMixin, Base):
    """One bulk document (e.g. a batch's admission tickets), rendered by the scheduler process."""

    __tablename__ = "document_jobs"

    kind: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus, "document_job_status"), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    # How many pages came from the cache of unchanged chunks instead of being laid out again.
    reused: Mapped[int] = mapped_column(default=0)
    result_path: Mapped[str | None] = mapped_column(sa.String(255))
    result_name: Mapped[str] = mapped_column(sa.String(200), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    # Touched on every progress step: a running job whose heartbeat stopped was orphaned by a crash.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    __table_args__ = (sa.Index("ix_document_jobs_status", "status", "id"),)

    @property
    def percent(self) -> int:
        if self.status is JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "status": self.status.value,
            "status_title": self.status.title,
            "total": self.total,
            "done": self.done,
            "reused": self.reused,
            "percent": self.percent,
            "error": self.error,
            "ready": self.status is JobStatus.DONE,
        }
