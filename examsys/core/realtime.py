"""Real-time events, sent only after the transaction that caused them commits.

Operations call :func:`emit_after_commit`; the events wait on the database session and go out
through Flask-SocketIO once it commits (and are dropped on rollback), so a console never shows
a change that did not happen. With ``EXAMSYS_REDIS_URL`` set, Flask-SocketIO publishes through
Redis, so an event raised in any process (another web worker, the machine-test tier, the
scheduler) reaches every connected console.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import socketio as socketio_lib
import sqlalchemy as sa
from sqlalchemy.orm import Session

from examsys.core.extensions import socketio

log = logging.getLogger(__name__)
CHANNEL = "flask-socketio"  # Flask-SocketIO's own channel name, which every process shares
_KEY = "examsys_pending_emits"
_CALLS = "examsys_after_commit"


def emit_after_commit(event: str, data: dict[str, Any], *, namespace: str, room: str, session: Session) -> None:
    session.info.setdefault(_KEY, []).append((event, data, namespace, room))


def call_after_commit(action: Callable[[], None], *, session: Session) -> None:
    """Run ``action`` once the transaction commits (dropped on rollback), like the events."""
    session.info.setdefault(_CALLS, []).append(action)


def emit_now(event: str, data: dict[str, Any], *, namespace: str, room: str) -> None:
    """Send an event at once: for a change already committed by a statement of its own."""
    try:
        socketio.emit(event, data, namespace=namespace, to=room)
    except Exception:  # a console that misses one update catches up on its next poll
        log.exception("real-time emit %s failed", event)


def _flush(session: Session) -> None:
    for event, data, namespace, room in session.info.pop(_KEY, []):
        emit_now(event, data, namespace=namespace, room=room)
    for action in session.info.pop(_CALLS, []):
        try:
            action()
        except Exception:
            log.exception("after-commit %s failed", action)


def _drop(session: Session, previous) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_KEY, None)
        session.info.pop(_CALLS, None)


class BatchedRedisManager(socketio_lib.RedisManager):
    """Socket.IO's Redis queue, publishing from one thread, every event of the last
    ``FLUSH_SECONDS`` in one round trip (in order).

    At a large sitting every autosave raises a seat event; one Redis round trip each, made by
    the request, cost a fifth of the save. Events reach the consoles at most 20 ms later.
    """

    FLUSH_SECONDS = 0.02

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._outbox: list[str] = []
        self._outbox_lock = threading.Lock()
        self._sender: threading.Thread | None = None
        atexit.register(self._send_rest)  # a command that emits and exits at once still publishes

    def _publish(self, data) -> None:
        payload = self.json.dumps(data)
        with self._outbox_lock:
            self._outbox.append(payload)
            if self._sender is None or not self._sender.is_alive():
                self._sender = threading.Thread(target=self._send_loop, name="socketio-publisher", daemon=True)
                self._sender.start()

    def _send_loop(self) -> None:
        while True:
            time.sleep(self.FLUSH_SECONDS)
            with self._outbox_lock:
                batch, self._outbox = self._outbox, []
            if batch:
                self.send(batch)

    def _send_rest(self) -> None:
        with self._outbox_lock:
            batch, self._outbox = self._outbox, []
        if batch:
            self.send(batch)

    def send(self, batch: list[str]) -> None:
        for retries_left in (1, 0):
            try:
                if not self.connected:
                    self._redis_connect()
                pipe = self.redis.pipeline(transaction=False)
                for payload in batch:
                    pipe.publish(self.channel, payload)
                pipe.execute()
                return
            except Exception:  # as the parent class does: reconnect once, then give up on these
                self.connected = False
                if not retries_left:
                    log.exception("real-time: %d events not published to Redis", len(batch))


def message_queue(config) -> socketio_lib.RedisManager | None:
    """Socket.IO's manager: Redis with ``REDIS_URL`` (None: in this process only). A process that
    only publishes (``REALTIME_PUBLISH_ONLY``, the machine-test tier) does not subscribe: every
    subscriber decodes every event of every process, 600 a second at a large sitting."""
    url = config.get("REDIS_URL")
    if not url:
        return None
    return BatchedRedisManager(url, channel=CHANNEL, write_only=bool(config.get("REALTIME_PUBLISH_ONLY")))


def install() -> None:
    """Hook the commit and rollback of every SQLAlchemy session (idempotent)."""
    if not sa.event.contains(Session, "after_commit", _flush):
        sa.event.listen(Session, "after_commit", _flush)
        sa.event.listen(Session, "after_soft_rollback", _drop)
