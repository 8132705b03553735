"""Certification batches (认定批次), applications and review decisions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.modules.catalog.models import College, Job, Occupation
from examsys.modules.people.models import Person


class Path(enum.StrEnum):
    """The four ways to certify; all share review, notice, certificates and archives."""

    EXAM = "exam"
    PROCESS = "process"
    DIRECT = "direct"
    COMPETITION = "competition"

    @property
    def title(self) -> str:
        return str(PATH_TITLES[self])


PATH_TITLES = {
    Path.EXAM: _l("考试考核"),
    Path.PROCESS: _l("过程化考核"),
    Path.DIRECT: _l("直接认定"),
    Path.COMPETITION: _l("竞赛取证"),
}


class Batch(IdMixin, TimestampMixin, Base):
    __tablename__ = "batches"

    name: Mapped[str] = mapped_column(sa.String(120))
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("jobs.id"), index=True)
    level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"))
    path: Mapped[Path] = mapped_column(enum_type(Path, "certification_path"))
    college_id: Mapped[int] = mapped_column(sa.ForeignKey("colleges.id"), index=True)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    exam_date: Mapped[date | None]  # reference date for ages and "held N months"
    fee: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    planned_headcount: Mapped[int] = mapped_column(default=0)
    # Eligibility rules as configured for this batch: [{"rule": "major_related", "params": {...}}]
    rules: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    job: Mapped[Job] = relationship()
    college: Mapped[College] = relationship()

    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="window_order"),
        sa.CheckConstraint("fee IS NULL OR fee >= 0", name="fee_non_negative"),
    )


class OccupationGrant(Base):
    """The centre lets another college certify an occupation it does not own (seed 004)."""

    __tablename__ = "occupation_grants"

    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    college_id: Mapped[int] = mapped_column(sa.ForeignKey("colleges.id", ondelete="CASCADE"), primary_key=True)

    occupation: Mapped[Occupation] = relationship()
    college: Mapped[College] = relationship()


class ApplicationStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # waiting for the college
    COLLEGE_APPROVED = "college_approved"  # waiting for the centre
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # back to the candidate/college for correction

    @property
    def title(self) -> str:
        return str(STATUS_TITLES[self])


STATUS_TITLES = {
    ApplicationStatus.SUBMITTED: _l("待学院审核"),
    ApplicationStatus.COLLEGE_APPROVED: _l("待中心审核"),
    ApplicationStatus.APPROVED: _l("审核通过"),
    ApplicationStatus.REJECTED: _l("未通过"),
    ApplicationStatus.RETURNED: _l("退回修改"),
}


class Application(IdMixin, TimestampMixin, Base):
    __tablename__ = "applications"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_type(ApplicationStatus, "application_status"), default=ApplicationStatus.SUBMITTED
    )
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    training_hours: Mapped[int] = mapped_column(default=0)
    fee_paid: Mapped[bool] = mapped_column(default=False)
    # The eligibility verdicts recorded when the application was (re)submitted.
    eligibility: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    last_reason: Mapped[str] = mapped_column(sa.Text, default="")

    batch: Mapped[Batch] = relationship()
    person: Mapped[Person] = relationship()
    decisions: Mapped[list[ReviewDecision]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ReviewDecision.id"
    )

    __table_args__ = (sa.UniqueConstraint("batch_id", "person_id"),)


class ReviewLevel(enum.StrEnum):
    COLLEGE = "college"
    CENTRE = "centre"


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"


class ReviewDecision(IdMixin, Base):
    __tablename__ = "review_decisions"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    level: Mapped[ReviewLevel] = mapped_column(enum_type(ReviewLevel, "review_level"))
    decision: Mapped[Decision] = mapped_column(enum_type(Decision, "decision"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime]

    application: Mapped[Application] = relationship(back_populates="decisions")
