"""Reads for the proctor's room view: each seat's attempt, answered count, time left, recent signals."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.modules.delivery import clock
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, SessionPaper
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, Room


def room_view(session: ExamSession, room: Room, now: datetime) -> dict:
    """Plain dicts: the room clock and one row per seated candidate, in seat order."""
    rows = db.session.scalars(
        sa.select(Attempt)
        .join(Placement, Placement.id == Attempt.placement_id)
        .where(Attempt.session_id == session.id, Placement.room_id == room.id)
        .options(selectinload(Attempt.placement).selectinload(Placement.application).selectinload(Application.person),
                 selectinload(Attempt.placement).selectinload(Placement.seat))
    ).all()  # fmt: skip
    ids = [a.id for a in rows]
    answered = Counter(
        attempt_id
        for attempt_id, choice in db.session.execute(
            sa.select(Answer.attempt_id, Answer.choice).where(Answer.attempt_id.in_(ids))
        )
        if choice
    )
    signals = Counter(db.session.scalars(sa.select(AttemptEvent.attempt_id).where(AttemptEvent.attempt_id.in_(ids))))
    room_clock = db.session.get(clock.RoomClock, (session.id, room.id))
    seats = []
    for a in sorted(rows, key=lambda a: (a.placement.seat.row, a.placement.seat.col) if a.placement.seat else (0, 0)):
        seats.append({
            "attempt": a,
            "name": a.placement.application.person.name,
            "seat": a.placement.seat.label if a.placement.seat else "",
            "form": a.placement.form,
            "status": a.status,
            "answered": answered.get(a.id, 0),
            "items": len(a.item_order),
            "remaining": clock.remaining_seconds(a, room_clock, now),
            "paused": a.paused_at is not None,
            "signals": signals.get(a.id, 0),
            "ip": a.client_ip,
        })  # fmt: skip
    return {
        "clock": room_clock,
        "start": clock.start_of(session, room_clock),
        "start_by_proctor": clock.options(session).start_by_proctor,
        "seats": seats,
    }


def papers_of(session: ExamSession) -> list[SessionPaper]:
    return list(db.session.scalars(sa.select(SessionPaper).where(SessionPaper.session_id == session.id)))


def recent_events(session: ExamSession, limit: int = 50) -> list[AttemptEvent]:
    return list(
        db.session.scalars(
            sa.select(AttemptEvent).join(Attempt).where(Attempt.session_id == session.id)
            .order_by(AttemptEvent.at.desc()).limit(limit)
        )
    )  # fmt: skip
