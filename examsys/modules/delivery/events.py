"""What the proctor console hears from the machine test (sent after commit, see core.realtime)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app

from examsys.core.db import db
from examsys.core.realtime import call_after_commit, emit_after_commit, emit_now
from examsys.modules.delivery import presence
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, AttemptStatus

if TYPE_CHECKING:
    from examsys.modules.delivery.clock import Timing

NAMESPACE = "/proctor"


def room_channel(session_id: int, room_id: int) -> str:
    return presence.room_channel(presence.room_of(session_id, room_id))


def room_event(session_id: int, room_id: int, event: str, data: dict, *, committed: bool = False) -> None:
    """Any event for the consoles watching one room (broadcasts, check-ins, ...): after the
    session commits, or at once when the change is ``committed`` already (by its own statement)."""
    room = room_channel(session_id, room_id)
    if committed:
        emit_now(event, data, namespace=NAMESPACE, room=room)
    else:
        emit_after_commit(event, data, namespace=NAMESPACE, room=room, session=db.session())


def notify_candidates(session_id: int, room_id: int, attempt_id: int | None = None) -> None:
    """After commit, the room's exam pages (or one candidate's) fetch their state at the next heartbeat."""
    app = current_app._get_current_object()

    def bump() -> None:
        with app.app_context():
            presence.notice(session_id, room_id, attempt_id)

    call_after_commit(bump, session=db.session())


def _emit(attempt: Attempt, event: str, data: dict) -> None:
    room_event(attempt.session_id, attempt.placement.room_id, event, data)


def answered_count(attempt_id) -> sa.ScalarSelect:
    """The seat event's answered count for ``attempt_id`` (a value, a bind parameter or a
    column to correlate). Counted in the database: decoding every stored answer on each save
    cost more than the save."""
    return (
        sa.select(sa.func.count())
        .where(Answer.attempt_id == attempt_id, sa.func.json_array_length(Answer.choice) > 0)
        .scalar_subquery()
    )


def last_saved(attempt_id) -> sa.ScalarSelect:
    """When the attempt's latest answer was saved (the console's idle marker counts from it)."""
    return sa.select(sa.func.max(Answer.saved_at)).where(Answer.attempt_id == attempt_id).scalar_subquery()


def seat_changed(attempt: Attempt, now: datetime) -> None:
    """A seat's state: status, answered count, last contact, last saved answer."""
    answered, saved_at = db.session.execute(sa.select(answered_count(attempt.id), last_saved(attempt.id))).one()
    seat = attempt.placement.seat.label if attempt.placement.seat else ""
    room_event(attempt.session_id, attempt.placement.room_id, "seat", _seat(
        attempt.id, seat, attempt.status.value, answered, attempt.last_seq, attempt.paused_at is not None, now, saved_at))  # fmt: skip


def seat_logged_in(row, now: datetime) -> None:
    """The seat event of a login, from the login's own row (see login._LOGIN_ROW)."""
    room_event(row.session_id, row.room_id, "seat", _seat(
        row.attempt_id, row.seat or "", AttemptStatus(row.status).value, row.answered, row.last_seq,
        row.paused_at is not None, now, row.saved_at))  # fmt: skip


def seat_saved(row, now: datetime, *, committed: bool = False) -> None:
    """The seat event of an autosave, from the row its guarded update returned (no further reads):
    attempt_id, session_id, room_id, seat, last_seq, answered."""
    room_event(row.session_id, row.room_id, "seat",
               _seat(row.attempt_id, row.seat or "", "in_progress", row.answered, row.last_seq, False, now, now),
               committed=committed)  # fmt: skip


def seat_submitted(timing: Timing, answered: int, saved_at: datetime | None, now: datetime) -> None:
    """Handed in: the seat event from the values the hand-in already holds."""
    room_event(timing.session_id, timing.room_id, "seat", _seat(
        timing.attempt_id, timing.seat, "submitted", answered, timing.last_seq, timing.attempt_pauses[1] is not None,
        now, saved_at))  # fmt: skip


def seat_started(timing: Timing, now: datetime) -> None:
    """The paper has just opened for this seat: nothing answered yet."""
    room_event(timing.session_id, timing.room_id, "seat",
               _seat(timing.attempt_id, timing.seat, "in_progress", 0, timing.last_seq, timing.paused, now, None))  # fmt: skip


def _seat(attempt_id: int, seat: str, status: str, answered: int, seq: int, paused: bool, now: datetime,
          saved_at: datetime | None) -> dict:  # fmt: skip
    return {
        "attempt": attempt_id,
        "seat": seat,
        "status": status,
        "answered": int(answered or 0),
        "seq": seq,  # the candidate's last applied change: matches an event to its save
        "paused": paused,
        "last_seen": now.isoformat(),
        "saved_at": saved_at.isoformat() if saved_at else None,  # the console's idle marker counts from it
    }


def signal_raised(attempt: Attempt, event: AttemptEvent) -> None:
    _emit(attempt, "signal", {
        "attempt": attempt.id,
        "seat": attempt.placement.seat.label if attempt.placement.seat else "",
        "name": attempt.placement.application.person.name,
        "kind": event.kind.value,
        "title": event.kind.title,
        "detail": event.detail,
        "at": event.at.isoformat(),
    })  # fmt: skip
