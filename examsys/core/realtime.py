"""Real-time events, sent only after the transaction that caused them commits.

Operations call :func:`emit_after_commit`; the events wait on the database session and go out
through Flask-SocketIO once it commits (and are dropped on rollback), so a console never shows
a change that did not happen. With ``EXAMSYS_REDIS_URL`` set, Flask-SocketIO publishes through
Redis, so an event raised in any process (another web worker, the scheduler) reaches every
connected console.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from examsys.core.extensions import socketio

log = logging.getLogger(__name__)
_KEY = "examsys_pending_emits"
_CALLS = "examsys_after_commit"


def emit_after_commit(event: str, data: dict[str, Any], *, namespace: str, room: str, session: Session) -> None:
    session.info.setdefault(_KEY, []).append((event, data, namespace, room))


def call_after_commit(action: Callable[[], None], *, session: Session) -> None:
    """Run ``action`` once the transaction commits (dropped on rollback), like the events."""
    session.info.setdefault(_CALLS, []).append(action)


def _flush(session: Session) -> None:
    for event, data, namespace, room in session.info.pop(_KEY, []):
        try:
            socketio.emit(event, data, namespace=namespace, to=room)
        except Exception:  # a console that misses one update catches up on its next poll
            log.exception("real-time emit %s failed", event)
    for action in session.info.pop(_CALLS, []):
        try:
            action()
        except Exception:
            log.exception("after-commit %s failed", action)


def _drop(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_KEY, None)
        session.info.pop(_CALLS, None)


def install() -> None:
    """Hook the commit and rollback of every SQLAlchemy session (idempotent)."""
    if not sa.event.contains(Session, "after_commit", _flush):
        sa.event.listen(Session, "after_commit", _flush)
        sa.event.listen(Session, "after_soft_rollback", _drop)
