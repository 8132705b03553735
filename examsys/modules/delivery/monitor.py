"""Reads for the proctor's room view: each seat's attempt, answered count, time left, recent signals."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.modules.delivery import clock
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, EventKind, SessionPaper
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application
from examsys.modules.scheduling.models import ExamSession, Placement, Room, Seat


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
    signals, last_signal = Counter(), {}
    for attempt_id, kind in db.session.execute(
        sa.select(AttemptEvent.attempt_id, AttemptEvent.kind)
        .where(AttemptEvent.attempt_id.in_(ids), AttemptEvent.kind != EventKind.LOGIN)
        .order_by(AttemptEvent.at, AttemptEvent.id)
    ):
        signals[attempt_id] += 1
        last_signal[attempt_id] = kind
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
            "last_signal": last_signal[a.id].title if a.id in last_signal else "",
            "ip": a.client_ip,
        })  # fmt: skip
    return {
        "clock": room_clock,
        "start": clock.start_of(session, room_clock),
        "start_by_proctor": clock.options(session).start_by_proctor,
        "seats": seats,
        "spares": spare_seats(session, room),
    }


def spare_seats(session: ExamSession, room: Room) -> list[Seat]:
    """In-service seats of the room nobody sits at in this session: where a candidate can move."""
    taken = sa.select(Placement.seat_id).where(Placement.session_id == session.id, Placement.seat_id.is_not(None))
    return list(db.session.scalars(
        sa.select(Seat).where(Seat.room_id == room.id, Seat.in_service, Seat.id.not_in(taken))
        .order_by(Seat.row, Seat.col)
    ))  # fmt: skip


def papers_of(session: ExamSession) -> list[SessionPaper]:
    return list(db.session.scalars(sa.select(SessionPaper).where(SessionPaper.session_id == session.id)))


def recent_events(session: ExamSession, room: Room | None = None, limit: int = 50) -> list[dict]:
    """The integrity feed, newest first: signal, seat and candidate (logins are not signals)."""
    query = (
        sa.select(AttemptEvent, Seat.label, Person.name)
        .join(Attempt, Attempt.id == AttemptEvent.attempt_id)
        .join(Placement, Placement.id == Attempt.placement_id)
        .join(Application, Application.id == Placement.application_id)
        .join(Person, Person.id == Application.person_id)
        .outerjoin(Seat, Seat.id == Placement.seat_id)
        .where(Attempt.session_id == session.id, AttemptEvent.kind != EventKind.LOGIN)
        .order_by(AttemptEvent.at.desc(), AttemptEvent.id.desc())
        .limit(limit)
    )
    if room is not None:
        query = query.where(Placement.room_id == room.id)
    return [{"at": e.at, "title": e.kind.title, "detail": e.detail, "seat": seat or "", "name": name}
            for e, seat, name in db.session.execute(query)]  # fmt: skip
