"""What the proctor console hears from the machine test (sent after commit, see core.realtime)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from examsys.core.db import db
from examsys.core.realtime import emit_after_commit
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent

NAMESPACE = "/proctor"


def room_channel(session_id: int, room_id: int) -> str:
    return f"exam:{session_id}:{room_id}"


def room_event(session_id: int, room_id: int, event: str, data: dict) -> None:
    """Any event for the consoles watching one room (broadcasts, check-ins, ...)."""
    emit_after_commit(event, data, namespace=NAMESPACE, room=room_channel(session_id, room_id), session=db.session())


def _emit(attempt: Attempt, event: str, data: dict) -> None:
    room_event(attempt.session_id, attempt.placement.room_id, event, data)


def seat_changed(attempt: Attempt, now: datetime) -> None:
    """A seat's state: status, answered count, last contact."""
    # Counted in the database: decoding every stored answer on each save cost more than the save.
    answered = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Answer)
        .where(Answer.attempt_id == attempt.id, sa.func.json_array_length(Answer.choice) > 0)
    )
    _emit(attempt, "seat", {
        "attempt": attempt.id,
        "seat": attempt.placement.seat.label if attempt.placement.seat else "",
        "status": attempt.status.value,
        "answered": answered,
        "seq": attempt.last_seq,  # the candidate's last applied change: matches an event to its save
        "paused": attempt.paused_at is not None,
        "last_seen": now.isoformat(),
    })  # fmt: skip


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
