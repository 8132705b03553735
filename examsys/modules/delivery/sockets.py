"""The /proctor Socket.IO namespace: staff who may watch a room join its channel."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import Namespace, join_room, leave_room

from examsys.core.db import db
from examsys.modules.delivery.events import NAMESPACE, room_channel
from examsys.modules.scheduling.models import ExamSession


class ProctorNamespace(Namespace):
    """Authenticated on connect (the staff login cookie); one channel per room and session."""

    def on_connect(self, auth=None):
        if not current_user.is_authenticated or not current_user.can("delivery.watch"):
            raise ConnectionRefusedError("unauthorized")

    def on_watch(self, data):
        session = db.session.get(ExamSession, int((data or {}).get("session", 0)))
        room_id = int((data or {}).get("room", 0))
        if session is None or room_id not in {r.id for r in session.rooms}:
            return {"ok": False}
        join_room(room_channel(session.id, room_id))
        return {"ok": True}

    def on_unwatch(self, data):
        leave_room(room_channel(int(data.get("session", 0)), int(data.get("room", 0))))
        return {"ok": True}


def namespaces() -> list[Namespace]:
    return [ProctorNamespace(NAMESPACE)]
