"""The proctor console's feed over a real Socket.IO connection: a candidate's save reaches it within 1 s."""

from __future__ import annotations

import random
import re
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio
from werkzeug.serving import make_server

from bench.exam_fault import SECRET, Client, build
from examsys import create_app
from examsys.core.audit import acting_as
from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.accounts import operations as accounts
from examsys.modules.scheduling.models import ExamSession


@pytest.fixture(scope="module")
def live():
    work = Path(tempfile.mkdtemp(prefix="exam-sockets-"))
    url = f"sqlite:///{work / 'sockets.sqlite3'}"
    ids = build(url, 3, work / "instance")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "INSTANCE_DIR": str(work / "instance"),
                      "PASSWORD_HASH_PROFILE": "CHEAPEST", "REDIS_URL": None})  # fmt: skip
    with app.app_context(), acting_as("test"):
        accounts.create_user("proctor_ws", "secret123", [Role.PROCTOR])
        session = db.session.query(ExamSession).one()
        watch = {"session": session.id, "room": session.rooms[0].id}
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"base": f"http://127.0.0.1:{server.server_port}", "ids": ids, "watch": watch}
    server.shutdown()


def staff_cookie(base: str, username: str) -> str:
    http = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(f"{base}/login").text).group(1)
    http.post(f"{base}/login", data={"csrf_token": token, "username": username, "password": "secret123"})
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def test_a_save_and_a_signal_reach_the_watching_proctor_within_a_second(live):
    received: list[tuple[str, dict, float]] = []
    sio = socketio.Client()
    sio.on("seat", lambda data: received.append(("seat", data, time.monotonic())), namespace="/proctor")
    sio.on("signal", lambda data: received.append(("signal", data, time.monotonic())), namespace="/proctor")
    sio.connect(live["base"], namespaces=["/proctor"], headers={"Cookie": staff_cookie(live["base"], "proctor_ws")},
                transports=["polling"])  # fmt: skip
    try:
        assert sio.call("watch", live["watch"], namespace="/proctor") == {"ok": True}
        candidate = Client(live["base"], live["ids"][0])
        candidate.login()
        received.clear()
        candidate.change(random.Random(1))
        sent = time.monotonic()
        candidate.flush()
        deadline = time.monotonic() + 2
        saved = [(data, at) for kind, data, at in received if kind == "seat" and data["answered"] == 1]
        while time.monotonic() < deadline and not saved:
            time.sleep(0.02)
            saved = [(data, at) for kind, data, at in received if kind == "seat" and data["answered"] == 1]
        seat = saved[0]
        assert seat[0]["status"] == "in_progress" and seat[0]["seat"]
        assert seat[1] - sent < 1.0
        candidate.http.post(f"{live['base']}/exam/signal", json={"kind": "paste"})
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not any(kind == "signal" for kind, _, _ in received):
            time.sleep(0.02)
        signal = next(data for kind, data, _ in received if kind == "signal")
        assert signal["kind"] == "paste" and signal["title"]
    finally:
        sio.disconnect()


def test_anonymous_and_unprivileged_sockets_are_refused(live):
    sio = socketio.Client()
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(live["base"], namespaces=["/proctor"], transports=["polling"], wait_timeout=3)
