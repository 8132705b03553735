"""Staff on duty: proctors, examiners and supervisors, examiner cards, ratios and recusals."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, TimestampMixin, enum_type, utcnow
from examsys.modules.accounts.models import User
from examsys.modules.catalog.models import Occupation
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Batch
from examsys.modules.scheduling.models.plans import ExamSession
from examsys.modules.scheduling.models.rooms import Room


class StaffRole(enum.StrEnum):
    PROCTOR = "proctor"
    EXAMINER = "examiner"
    SUPERVISOR = "supervisor"

    @property
    def title(self) -> str:
        return str(STAFF_ROLE_TITLES[self])


STAFF_ROLE_TITLES = {
    StaffRole.PROCTOR: _l("监考员"),
    StaffRole.EXAMINER: _l("考评员"),
    StaffRole.SUPERVISOR: _l("督导员"),
}


class StaffAssignment(IdMixin, Base):
    """A staff member on duty in a session: in one room, or (a supervisor) over the whole session."""

    __tablename__ = "staff_assignments"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[StaffRole] = mapped_column(enum_type(StaffRole, "staff_role"))
    manual: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ExamSession] = relationship()
    room: Mapped[Room | None] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        # One place per person per session; overlapping sessions are checked by the operations.
        sa.UniqueConstraint("session_id", "user_id"),
        sa.CheckConstraint("(role = 'supervisor') OR room_id IS NOT NULL", name="room_for_proctor_examiner"),
    )


class StaffingRatio(Base):
    """An occupation standard's staffing ratios; occupations without a row use the defaults."""

    __tablename__ = "staffing_ratios"

    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id", ondelete="CASCADE"), primary_key=True)
    candidates_per_proctor: Mapped[int] = mapped_column(default=15)
    min_proctors: Mapped[int] = mapped_column(default=2)
    candidates_per_examiner: Mapped[int] = mapped_column(default=5)
    min_examiners: Mapped[int] = mapped_column(default=3)
    examiners_odd: Mapped[bool] = mapped_column(default=True)

    occupation: Mapped[Occupation] = relationship()

    __table_args__ = (
        sa.CheckConstraint(
            "candidates_per_proctor >= 1 AND min_proctors >= 1 AND candidates_per_examiner >= 1 AND min_examiners >= 1",
            name="positive",
        ),
    )


class ExaminerCard(IdMixin, TimestampMixin, Base):
    """考评员证: an occupation and the levels its holder may examine, valid for three years."""

    __tablename__ = "examiner_cards"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    occupation_id: Mapped[int] = mapped_column(sa.ForeignKey("occupations.id"))
    # Highest level covered, as a level number: 3 covers 三级, 四级 and 五级.
    highest_level: Mapped[int] = mapped_column(sa.ForeignKey("levels.number"))
    issued_on: Mapped[date]
    valid_until: Mapped[date]
    senior: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
    occupation: Mapped[Occupation] = relationship()

    __table_args__ = (sa.CheckConstraint("valid_until >= issued_on", name="validity"),)

    def covers(self, occupation_id: int, level: int, on: date) -> bool:
        return (
            self.occupation_id == occupation_id
            and level >= self.highest_level
            and self.issued_on <= on <= self.valid_until
        )


class RecusalKind(enum.StrEnum):
    CONFLICT = "conflict"
    RELATIVE = "relative"

    @property
    def title(self) -> str:
        return str(RECUSAL_KIND_TITLES[self])


RECUSAL_KIND_TITLES = {RecusalKind.CONFLICT: _l("利害关系"), RecusalKind.RELATIVE: _l("亲属关系")}


class Recusal(IdMixin, Base):
    """A staff member declared they must not examine this person (回避)."""

    __tablename__ = "recusals"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RecusalKind] = mapped_column(enum_type(RecusalKind, "recusal_kind"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    person: Mapped[Person] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "person_id"),)


class TeachingRecord(IdMixin, Base):
    """A class a staff member trained for a batch: its students are recused from them in that batch."""

    __tablename__ = "teaching_records"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    class_name: Mapped[str] = mapped_column(sa.String(60))

    user: Mapped[User] = relationship()
    batch: Mapped[Batch] = relationship()

    __table_args__ = (sa.UniqueConstraint("user_id", "batch_id", "class_name"),)
