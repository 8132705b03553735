"""Proctoring models: who is present, what happened in the room (考场记录), supervisors' rulings,
broadcasts to a room and the supervision report (督导情况反馈表)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type, utcnow
from examsys.modules.accounts.models import User
from examsys.modules.scheduling.models import ExamSession, Placement, Room


class CheckIn(Base):
    """A candidate's attendance in one session: present (with the time) or marked absent."""

    __tablename__ = "check_ins"

    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), primary_key=True)
    present: Mapped[bool]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    placement: Mapped[Placement] = relationship()


class IncidentKind(enum.StrEnum):
    MISCONDUCT = "misconduct"
    DISTURBANCE = "disturbance"
    DEVICE_FAILURE = "device_failure"
    IDENTITY_MISMATCH = "identity_mismatch"
    ILLNESS = "illness"
    OTHER = "other"

    @property
    def title(self) -> str:
        return str(INCIDENT_TITLES[self])


INCIDENT_TITLES = {
    IncidentKind.MISCONDUCT: _l("违纪/作弊"),
    IncidentKind.DISTURBANCE: _l("扰乱考场秩序"),
    IncidentKind.DEVICE_FAILURE: _l("设备故障"),
    IncidentKind.IDENTITY_MISMATCH: _l("身份不符"),
    IncidentKind.ILLNESS: _l("身体不适"),
    IncidentKind.OTHER: _l("其他"),
}


class Incident(IdMixin, Base):
    """One entry of the room record (考场记录): the evidence for any ruling."""

    __tablename__ = "incidents"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"))
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id", ondelete="SET NULL"))
    kind: Mapped[IncidentKind] = mapped_column(enum_type(IncidentKind, "incident_kind"))
    occurred_at: Mapped[datetime]
    description: Mapped[str] = mapped_column(sa.Text)
    action_taken: Mapped[str] = mapped_column(sa.Text, default="")
    proctor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    supervisor_note: Mapped[str] = mapped_column(sa.Text, default="")
    # A misconduct ruling voids the candidate's result; only a supervisor makes it.
    voids_result: Mapped[bool] = mapped_column(default=False)
    ruled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ruled_at: Mapped[datetime | None]

    session: Mapped[ExamSession] = relationship()
    room: Mapped[Room] = relationship()
    placement: Mapped[Placement | None] = relationship()
    proctor: Mapped[User | None] = relationship(foreign_keys=[proctor_id])
    ruled_by: Mapped[User | None] = relationship(foreign_keys=[ruled_by_id])


class RoomMessage(IdMixin, Base):
    """A proctor's broadcast to every candidate of a room; the exam page shows the latest ones."""

    __tablename__ = "room_messages"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"))
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"))
    body: Mapped[str] = mapped_column(sa.String(300))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    sent_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.Index("ix_room_messages_session_room", "session_id", "room_id", "sent_at"),
        sa.CheckConstraint("body <> ''", name="body_given"),
    )


class Assessment(enum.StrEnum):
    """The supervisor's overall verdict on a session's conduct."""

    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"

    @property
    def title(self) -> str:
        return str(ASSESSMENT_TITLES[self])


ASSESSMENT_TITLES = {
    Assessment.GOOD: _l("良好"),
    Assessment.FAIR: _l("一般"),
    Assessment.POOR: _l("较差"),
}


class SupervisionReport(IdMixin, TimestampMixin, Base):
    """The supervision report (督导情况反馈表): one per supervisor and session, editable until submitted."""

    __tablename__ = "supervision_reports"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    assessment: Mapped[Assessment] = mapped_column(enum_type(Assessment, "supervision_assessment"),
                                                   default=Assessment.GOOD)  # fmt: skip
    assessment_note: Mapped[str] = mapped_column(sa.Text, default="")
    problems: Mapped[str] = mapped_column(sa.Text, default="")
    suggestions: Mapped[str] = mapped_column(sa.Text, default="")
    signed_name: Mapped[str] = mapped_column(sa.String(60), default="")
    signed_on: Mapped[date | None]
    submitted_at: Mapped[datetime | None]

    session: Mapped[ExamSession] = relationship()
    supervisor: Mapped[User] = relationship()
    visits: Mapped[list[SupervisionVisit]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="SupervisionVisit.started_at"
    )

    __table_args__ = (
        sa.UniqueConstraint("session_id", "supervisor_id"),
        sa.CheckConstraint("submitted_at IS NULL OR (signed_name <> '' AND signed_on IS NOT NULL)", name="signed"),
    )


class SupervisionVisit(IdMixin, Base):
    """A room the supervisor visited during the session, with the times (a line of the report)."""

    __tablename__ = "supervision_visits"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_reports.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    report: Mapped[SupervisionReport] = relationship(back_populates="visits")
    room: Mapped[Room] = relationship()

    __table_args__ = (sa.CheckConstraint("ended_at >= started_at", name="time_order"),)
