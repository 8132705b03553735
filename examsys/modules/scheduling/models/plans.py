"""The batch plan (认定实施计划) and its sessions (场次): theory sittings and practical slots."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type
from examsys.core.timezone import local_date
from examsys.modules.registration.models import Batch
from examsys.modules.scheduling.models.rooms import Room


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    FILED = "filed"  # sent to the provincial guidance centre, awaiting approval
    APPROVED = "approved"

    @property
    def title(self) -> str:
        return str(PLAN_STATUS_TITLES[self])


PLAN_STATUS_TITLES = {
    PlanStatus.DRAFT: _l("草稿"),
    PlanStatus.FILED: _l("已报备"),
    PlanStatus.APPROVED: _l("已批准"),
}


class SessionKind(enum.StrEnum):
    THEORY = "theory"
    PRACTICAL = "practical"

    @property
    def title(self) -> str:
        return str(SESSION_KIND_TITLES[self])


SESSION_KIND_TITLES = {SessionKind.THEORY: _l("理论考试"), SessionKind.PRACTICAL: _l("技能操作")}

# A batch belongs to at most one plan: the primary key on batch_id says so.
plan_batches = sa.Table(
    "plan_batches",
    Base.metadata,
    sa.Column("batch_id", sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("plan_id", sa.ForeignKey("exam_plans.id", ondelete="CASCADE"), index=True, nullable=False),
)

session_rooms = sa.Table(
    "session_rooms",
    Base.metadata,
    sa.Column("session_id", sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("room_id", sa.ForeignKey("rooms.id"), primary_key=True, index=True),
)


class ExamPlan(IdMixin, TimestampMixin, Base):
    """One exam window: its batches, sessions, placements and staff, filed with the province."""

    __tablename__ = "exam_plans"

    name: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[PlanStatus] = mapped_column(enum_type(PlanStatus, "plan_status"), default=PlanStatus.DRAFT)
    # Seats kept free in every lab and sitting for candidates whose machine fails.
    spare_seats_per_lab: Mapped[int] = mapped_column(default=2)
    # Paper forms (A, B, ...) handed out so that neighbouring seats differ.
    form_count: Mapped[int] = mapped_column(default=2)
    # Working days the plan must be filed before the first session (seed 002: 10).
    lead_working_days: Mapped[int] = mapped_column(default=10)
    filed_on: Mapped[date | None]
    late_override_reason: Mapped[str] = mapped_column(sa.Text, default="")
    approved_on: Mapped[date | None]
    approval_ref: Mapped[str] = mapped_column(sa.String(60), default="")
    note: Mapped[str] = mapped_column(sa.Text, default="")

    batches: Mapped[list[Batch]] = relationship(secondary=plan_batches, order_by=Batch.id)
    sessions: Mapped[list[ExamSession]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by=lambda: (ExamSession.starts_at, ExamSession.id)
    )

    __table_args__ = (
        sa.CheckConstraint("spare_seats_per_lab >= 0", name="spare_seats"),
        sa.CheckConstraint("form_count BETWEEN 1 AND 8", name="form_count"),
        sa.CheckConstraint("lead_working_days >= 0", name="lead_days"),
    )

    @property
    def first_session_date(self) -> date | None:
        return min((local_date(s.starts_at) for s in self.sessions), default=None)

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple("ABCDEFGH"[: self.form_count])


class ExamSession(IdMixin, TimestampMixin, Base):
    """A theory sitting in one or more labs, or a practical slot in one or more venues."""

    __tablename__ = "exam_sessions"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(enum_type(SessionKind, "session_kind"))
    name: Mapped[str] = mapped_column(sa.String(80))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int]

    plan: Mapped[ExamPlan] = relationship(back_populates="sessions")
    rooms: Mapped[list[Room]] = relationship(secondary=session_rooms, order_by=Room.code)

    __table_args__ = (sa.CheckConstraint("duration_minutes > 0", name="duration"),)

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def overlaps(self, other: ExamSession) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at
