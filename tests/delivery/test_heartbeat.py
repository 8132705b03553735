"""The exam page's heartbeat: presence without the database, offline seats announced, notices."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core.db import db, utcnow
from examsys.core.realtime import _flush
from examsys.modules.delivery import clock, events, presence
from examsys.modules.delivery.models import Attempt
from examsys.modules.proctoring import console
from tests.delivery.test_exam_pages import log_in


@pytest.fixture
def running(make_exam):
    return make_exam(utcnow() - timedelta(minutes=40))


def logged_in(client, running) -> Attempt:
    log_in(client, running)
    client.get("/exam/state?paper=1")
    return db.session.scalars(sa.select(Attempt).where(Attempt.client_token != "")).one()


def commit_effects() -> None:
    """What the request's commit does after the transaction: the events and the notices."""
    _flush(db.session())


def test_a_beat_marks_the_seat_alive_without_a_database_statement(app, client, running):
    attempt = logged_in(client, running)
    statements = []

    def seen(_conn, _cursor, statement, *_rest):
        if "SAVEPOINT" not in statement:  # the tests' rollback harness, not the request
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        before = time.time()
        response = client.get("/exam/beat")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 200 and "notice" in response.json
    assert response.headers["Cache-Control"] == "no-store"
    assert statements == []
    with app.app_context():
        assert presence.last_beats([attempt.id])[attempt.id] >= before


def test_a_beat_needs_an_exam_login_and_a_get(app, client, running):
    assert client.get("/exam/beat").status_code == 401  # no session at all
    other = app.test_client()
    other.set_cookie("session", "forged.value.here")
    assert other.get("/exam/beat").status_code == 401  # a cookie without a valid signature
    logged_in(client, running)
    assert client.post("/exam/beat").status_code == 405


def test_a_proctors_action_raises_the_candidates_notice(app, client, running):
    attempt = logged_in(client, running)
    first = client.get("/exam/beat").json["notice"]
    assert client.get("/exam/beat").json["notice"] == first  # nothing happened
    console.broadcast(running["session"], attempt.placement.room, "请注意检查姓名", None)
    commit_effects()  # (the test client commits the test's transaction before each request, too)
    after_broadcast = client.get("/exam/beat").json["notice"]
    assert after_broadcast == first + 1
    clock.pause_attempt(attempt, "机器故障")
    commit_effects()
    assert client.get("/exam/beat").json["notice"] == after_broadcast + 1


def test_a_rolled_back_action_raises_no_notice(app, client, running):
    attempt = logged_in(client, running)
    first = client.get("/exam/beat").json["notice"]
    events.notify_candidates(attempt.session_id, attempt.placement.room_id, attempt.id)
    db.session.rollback()
    commit_effects()
    assert client.get("/exam/beat").json["notice"] == first


def test_the_watcher_announces_a_seat_going_offline_and_coming_back(app, client, running):
    attempt = logged_in(client, running)
    room_key = f"{attempt.session_id}:{attempt.placement.room_id}"
    store = presence._MemoryStore()  # a store of its own: the app's watcher thread sweeps the shared one
    now, limit = time.time(), 15.0
    store.beat(attempt.id, room_key, now)
    with app.app_context():
        assert store.sweep(now + 1, limit) == [{"attempt": attempt.id, "online": True, "at": now}]
        assert store.sweep(now + 2, limit) == []  # still online: nothing new to say
        assert store.sweep(now + limit + 1, limit) == [{"attempt": attempt.id, "online": False, "at": now + limit}]
        assert store.sweep(now + limit + 2, limit) == []  # said once
        store.beat(attempt.id, room_key, now + limit + 3)
        assert store.sweep(now + limit + 3, limit)[0]["online"] is True
        assert presence.offline_after() == 15.0  # three heartbeats of 5 s by default


def test_the_exam_page_beats_at_the_configured_interval(client, running):
    logged_in(client, running)
    page = client.get("/exam/").get_data(as_text=True)
    assert 'data-beat-url="/exam/beat"' in page and 'data-beat-seconds="5' in page
