"""Delivery models: the paper each session uses, room clocks, attempts, answers, integrity events."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, enum_type, utcnow
from examsys.modules.banks.models import Paper, PaperItem
from examsys.modules.scheduling.models import ExamSession, Placement, Room


class SessionPaper(Base):
    """Which sealed paper a session's candidates of one batch sit, per form (A, B, ...)."""

    __tablename__ = "session_papers"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True)
    form: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    paper_id: Mapped[int] = mapped_column(sa.ForeignKey("papers.id"))

    paper: Mapped[Paper] = relationship()


class SessionOptions(Base):
    """How a session's machine test runs; sessions without a row use the defaults."""

    __tablename__ = "session_options"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), primary_key=True)
    # Lobby until the proctor opens the room; otherwise the paper opens at the scheduled start.
    start_by_proctor: Mapped[bool] = mapped_column(default=False)
    earliest_submit_minutes: Mapped[int] = mapped_column(default=30)
    partial_credit: Mapped[bool] = mapped_column(default=False)  # multiple choice: a correct subset scores a part


class ResultVisibility(enum.StrEnum):
    """What a candidate sees right after handing in."""

    NOTHING = "nothing"  # nothing until the results are published (the default)
    SCORE = "score"
    AREAS = "areas"  # the score and its split by knowledge area

    @property
    def title(self) -> str:
        return str(RESULT_VISIBILITY_TITLES[self])


RESULT_VISIBILITY_TITLES = {
    ResultVisibility.NOTHING: _l("交卷后不显示，成绩公布后可查"),
    ResultVisibility.SCORE: _l("交卷后显示总分"),
    ResultVisibility.AREAS: _l("交卷后显示总分和各知识领域得分"),
}


class BatchResultOption(Base):
    """Per batch: what its candidates see after handing in; batches without a row see nothing."""

    __tablename__ = "batch_result_options"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True)
    after_submit: Mapped[ResultVisibility] = mapped_column(
        enum_type(ResultVisibility, "result_visibility"), default=ResultVisibility.NOTHING
    )


class RoomClock(Base):
    """A lab's clock in one session: opened by the proctor, paused and resumed as a whole."""

    __tablename__ = "room_clocks"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"), primary_key=True)
    opened_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]  # set while the whole room is paused
    paused_seconds: Mapped[int] = mapped_column(default=0)  # completed room pauses

    session: Mapped[ExamSession] = relationship()
    room: Mapped[Room] = relationship()


class AttemptStatus(enum.StrEnum):
    PREPARED = "prepared"  # created before the session: the synchronised start only reads
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"

    @property
    def title(self) -> str:
        return str(ATTEMPT_STATUS_TITLES[self])


ATTEMPT_STATUS_TITLES = {
    AttemptStatus.PREPARED: _l("待开考"),
    AttemptStatus.IN_PROGRESS: _l("作答中"),
    AttemptStatus.SUBMITTED: _l("已交卷"),
}


class SubmittedBy(enum.StrEnum):
    CANDIDATE = "candidate"
    DEADLINE = "deadline"  # the scheduled job (or the start-up sweep) at the deadline
    PROCTOR = "proctor"


class Attempt(IdMixin, Base):
    """One candidate's sitting of one paper at one seat."""

    __tablename__ = "attempts"

    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    paper_id: Mapped[int] = mapped_column(sa.ForeignKey("papers.id"))
    # No index: three values, and a misleading one - planner statistics taken while a sitting's
    # attempts were all prepared made PostgreSQL look attempts up "by status" rather than by id.
    status: Mapped[AttemptStatus] = mapped_column(
        enum_type(AttemptStatus, "attempt_status"), default=AttemptStatus.PREPARED
    )
    # [[paper_item_id, [option labels in the order shown]], ...]: maps every shown option to its key.
    item_order: Mapped[list[Any]] = mapped_column(sa.JSON)
    started_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)  # kept current by the clock service
    submitted_at: Mapped[datetime | None]
    submitted_by: Mapped[SubmittedBy | None] = mapped_column(enum_type(SubmittedBy, "submitted_by"))
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # highest change sequence applied
    extra_seconds: Mapped[int] = mapped_column(default=0)  # approved extensions and credited outage time
    paused_at: Mapped[datetime | None]  # this candidate alone is paused
    paused_seconds: Mapped[int] = mapped_column(default=0)
    client_token: Mapped[str] = mapped_column(sa.String(64), default="")  # the one browser allowed to save
    client_ip: Mapped[str] = mapped_column(sa.String(45), default="")
    logins: Mapped[int] = mapped_column(default=0)
    last_seen_at: Mapped[datetime | None]
    score: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    area_scores: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    placement: Mapped[Placement] = relationship()
    session: Mapped[ExamSession] = relationship()
    paper: Mapped[Paper] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="attempt", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("extra_seconds >= 0 AND paused_seconds >= 0", name="non_negative_time"),
        sa.CheckConstraint("status <> 'submitted' OR submitted_at IS NOT NULL", name="submitted_has_time"),
    )


class Answer(IdMixin, Base):
    """The latest saved response to one item; ``seq`` orders the client's changes (a higher one wins)."""

    __tablename__ = "answers"

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    paper_item_id: Mapped[int] = mapped_column(sa.ForeignKey("paper_items.id"))
    # The item revision shown (papers never change after sealing; kept for the record).
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("item_revisions.id"))
    choice: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # original option labels
    flagged: Mapped[bool] = mapped_column(default=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    points: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    paper_item: Mapped[PaperItem] = relationship()

    __table_args__ = (sa.UniqueConstraint("attempt_id", "paper_item_id"),)


class EventKind(enum.StrEnum):
    BLUR = "blur"
    HIDDEN = "hidden"
    COPY = "copy"
    PASTE = "paste"
    RELOAD = "reload"
    SEAT_CHANGE = "seat_change"
    SECOND_LOGIN = "second_login"
    LOGIN = "login"
    LATE_SAVE = "late_save"

    @property
    def title(self) -> str:
        return str(EVENT_TITLES[self])


EVENT_TITLES = {
    EventKind.BLUR: _l("离开考试窗口"),
    EventKind.HIDDEN: _l("页面被隐藏"),
    EventKind.COPY: _l("尝试复制"),
    EventKind.PASTE: _l("尝试粘贴"),
    EventKind.RELOAD: _l("重新载入页面"),
    EventKind.SEAT_CHANGE: _l("在其他座位登录"),
    EventKind.SECOND_LOGIN: _l("重复登录"),
    EventKind.LOGIN: _l("登录"),
    EventKind.LATE_SAVE: _l("截止后提交答案"),
}


class AttemptEvent(IdMixin, Base):
    """An integrity signal or login, shown to the proctor (and kept for the room record)."""

    __tablename__ = "attempt_events"

    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, "attempt_event_kind"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[str] = mapped_column(sa.String(300), default="")


class KeyCorrection(IdMixin, Base):
    """A corrected key for an item revision already used in papers: scoring uses the newest one.

    The sealed paper is not touched (its content hash stays valid); attempts are re-scored.
    """

    __tablename__ = "key_corrections"

    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("item_revisions.id"), index=True)
    key: Mapped[list[str]] = mapped_column(sa.JSON)
    previous_key: Mapped[list[str]] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(300))
    corrected_at: Mapped[datetime] = mapped_column(default=utcnow)
    corrected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
