"""Who sits where: a candidate's application placed on a seat or station in a session."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from examsys.core.db import Base, IdMixin, utcnow
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models.plans import ExamSession
from examsys.modules.scheduling.models.rooms import Room, Seat, Station


class Placement(IdMixin, Base):
    """One application in one session: a lab seat (theory) or a venue station (practical)."""

    __tablename__ = "placements"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("exam_sessions.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"), index=True)
    seat_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seats.id"))
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stations.id"))
    form: Mapped[str] = mapped_column(sa.String(2), default="")
    # Moved by hand: the allocator keeps manual placements on a re-run.
    manual: Mapped[bool] = mapped_column(default=False)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ExamSession] = relationship()
    application: Mapped[Application] = relationship()
    room: Mapped[Room] = relationship()
    seat: Mapped[Seat | None] = relationship()
    station: Mapped[Station | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "application_id"),
        # NULLs never collide, so a practical placement (no seat) never blocks another.
        sa.UniqueConstraint("session_id", "seat_id"),
        sa.UniqueConstraint("session_id", "station_id"),
        sa.CheckConstraint("(seat_id IS NULL) <> (station_id IS NULL)", name="seat_or_station"),
    )
