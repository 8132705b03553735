"""The autosave answered in front of Flask (delivery.front): the checks Flask's pipeline made, and
the usual save's guard, which refuses in the database and leaves the reason to the attempt's clock."""

from __future__ import annotations

import gc
import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core import realtime
from examsys.core.audit import acting_as
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError
from examsys.modules.delivery import clock, front, saving, util
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind
from examsys.modules.scheduling import sessions
from examsys.modules.scheduling.models import SessionKind
from tests.delivery.test_exam_pages import log_in


@pytest.fixture
def running(make_exam):
    return make_exam(utcnow() - timedelta(minutes=40))


@pytest.fixture
def seat(client, running):
    """A logged-in seat with its paper open: (attempt, first item, a change to it)."""
    log_in(client, running)
    item = client.get("/exam/state?paper=1").json["items"][0]
    attempt = db.session.scalars(sa.select(Attempt).where(Attempt.client_token != "")).one()
    return attempt, item, {"item": item["id"], "choice": [item["options"][0]["label"]], "flagged": False, "seq": 1}


def stored(attempt: Attempt) -> list[Answer]:
    return list(db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id)))


def test_with_csrf_on_a_save_needs_the_pages_token(app, client, seat, monkeypatch):
    attempt, _item, change = seat
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/exam/").get_data(as_text=True)).group(1)
    for headers in ({}, {"X-CSRFToken": "forged." + token}, {"X-CSRFToken": token[:-2] + "xx"}):
        refused = client.post("/exam/save", json={"changes": [change]}, headers=headers)
        assert refused.status_code == 400 and "来源不可信" in refused.json["message"], headers
    assert stored(attempt) == []
    assert client.post("/exam/save", json={"changes": [change]}, headers={"X-CSRFToken": token}).json["ack"] == 1
    assert [a.choice for a in stored(attempt)] == [change["choice"]]


def test_malformed_saves_are_refused_naming_the_field(client, seat):
    attempt, _item, change = seat
    for body, kwargs in (
        (None, {"data": b"{not json", "content_type": "application/json"}),
        (None, {"json": {"changes": {"item": 1}}}),
        (None, {"json": {"changes": [dict(change, choice="A")]}}),
        (None, {"json": {"changes": [dict(change, seq="one")]}}),
        (None, {"json": [change]}),
    ):
        refused = client.post("/exam/save", **kwargs)
        assert refused.status_code == 400, (body, kwargs)
        assert refused.json["errors"][0]["field"] == "changes"
    refused = client.post("/exam/save", json={"changes": [dict(change, item=999_999)]})
    assert refused.status_code == 422 and refused.json["errors"][0]["field"] == "paper_item_id"
    assert stored(attempt) == []


def test_an_oversized_save_and_a_get_are_refused(client, seat):
    _attempt, _item, change = seat
    huge = {"changes": [dict(change, flagged=True, pad="x" * front.MAX_SAVE_BYTES)]}
    assert client.post("/exam/save", json=huge).status_code == 413
    assert client.get("/exam/save").status_code == 405


def test_a_late_save_is_refused_by_the_guard_and_recorded_by_the_clock(client, seat):
    attempt, _item, change = seat
    session = attempt.session
    session.starts_at = utcnow() - timedelta(minutes=session.duration_minutes + 1)
    clock.refresh_deadline(attempt, clock.clock_of(attempt))
    db.session.commit()
    refused = client.post("/exam/save", json={"changes": [change]})
    assert refused.status_code == 409 and refused.json["reason"] == "deadline"
    assert stored(attempt) == []
    late = db.session.scalars(sa.select(AttemptEvent).where(AttemptEvent.attempt_id == attempt.id,
                                                            AttemptEvent.kind == EventKind.LATE_SAVE)).all()  # fmt: skip
    assert len(late) == 1  # kept although the save was refused


def test_a_paused_attempt_refuses_and_writes_nothing(client, seat):
    attempt, _item, change = seat
    with acting_as("proctor"):
        clock.pause_attempt(attempt, "机器故障")
    db.session.commit()
    refused = client.post("/exam/save", json={"changes": [change]})
    assert refused.status_code == 409 and refused.json["reason"] == "paused"
    assert stored(attempt) == []
    with acting_as("proctor"):
        clock.resume_attempt(attempt)
    db.session.commit()
    assert client.post("/exam/save", json={"changes": [change]}).json["ack"] == 1


def test_a_stored_deadline_behind_the_clock_does_not_lose_a_save(client, seat):
    """If ``deadline_at`` ever lagged the clock (extra time not yet stored), the guard refuses,
    the clock accepts, and the save is applied under the clock's rule."""
    attempt, _item, change = seat
    assert client.post("/exam/save", json={"changes": [change]}).json["ack"] == 1  # the paper is cached now
    db.session.execute(
        sa.update(Attempt).where(Attempt.id == attempt.id).values(deadline_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    second = dict(change, choice=[change["choice"][0]], flagged=True, seq=2)
    assert client.post("/exam/save", json={"changes": [second]}).json["ack"] == 2
    (answer,) = stored(attempt)
    assert answer.seq == 2 and answer.flagged


def test_the_seat_event_counts_the_answers_as_they_stand_after_the_save(client, seat):
    """The usual save's answered count (one statement on PostgreSQL, counted from the rows it
    wrote and the rows it left alone): new answers, a cleared one, and a stale replay."""
    attempt, _item, _change = seat
    order = attempt.item_order

    def save(changes: list[saving.Change]) -> dict:
        saving.save(attempt.id, attempt.client_token, changes)
        return db.session.info[realtime._KEY][-1][1]

    def change(index: int, labels: list[str], seq: int) -> saving.Change:
        return saving.Change(order[index][0], tuple(labels), False, seq)

    first = save([change(0, [order[0][1][0]], 1), change(1, [order[1][1][0]], 2), change(2, [], 3)])
    assert (first["answered"], first["seq"]) == (2, 3)
    assert first["seat"] == attempt.placement.seat.label
    cleared = save([change(1, [], 4), change(3, [order[3][1][1]], 5)])
    assert (cleared["answered"], cleared["seq"]) == (2, 5)
    stale = save([change(1, [order[1][1][0]], 2)])  # an old change replayed: the cleared answer stays cleared
    assert (stale["answered"], stale["seq"]) == (2, 5)
    stored_now = {a.paper_item_id: (a.seq, a.choice) for a in stored(attempt)}
    assert stored_now[order[1][0]] == (4, [])
    assert sum(1 for _seq, choice in stored_now.values() if choice) == 2


def test_a_missed_paper_is_read_with_its_rooms_open_attempts_and_no_others(running, make_lab):
    """The first save of a seat reads the open papers of its room at that sitting in one query:
    never another room's or sitting's, nor an attempt not in progress or without a browser."""
    attempts = list(db.session.scalars(sa.select(Attempt).where(Attempt.session_id == running["session"].id)))
    for attempt in attempts:
        attempt.status, attempt.client_token, attempt.started_at = AttemptStatus.IN_PROGRESS, f"t{attempt.id}", utcnow()
    mine, neighbour, third = attempts
    placement = third.placement
    here = (placement.session_id, placement.room_id, placement.seat_id)
    elsewhere = make_lab(rows=1, cols=1)
    later = sessions.create_session(running["plan"], sessions.SessionData(
        SessionKind.THEORY, "第2场", running["session"].starts_at + timedelta(hours=3), 90, [running["lab"]]))  # fmt: skip
    cases = {
        "open": (AttemptStatus.IN_PROGRESS, "t", here),
        "prepared": (AttemptStatus.PREPARED, "t", here),
        "handed in": (AttemptStatus.SUBMITTED, "t", here),
        "no browser": (AttemptStatus.IN_PROGRESS, "", here),
        "another room": (AttemptStatus.IN_PROGRESS, "t", (here[0], elsewhere.id, elsewhere.seats[0].id)),
        "another sitting": (AttemptStatus.IN_PROGRESS, "t", (later.id, here[1], here[2])),
    }
    for case, (status, token, (session_id, room_id, seat_id)) in cases.items():
        third.status, third.client_token = status, token
        third.submitted_at = utcnow() if status is AttemptStatus.SUBMITTED else None
        placement.session_id, placement.room_id, placement.seat_id = session_id, room_id, seat_id
        third.session_id = session_id
        db.session.commit()
        util._OPEN_PAPERS.clear()

        paper = util.open_paper_of(mine.id, mine.client_token)
        assert (paper.attempt_id, paper.paper_id, paper.started_at) == (mine.id, mine.paper_id, mine.started_at)
        expected = [mine, neighbour, third] if case == "open" else [mine, neighbour]
        assert sorted(util._OPEN_PAPERS) == sorted((a.id, a.client_token) for a in expected), case
    assert util.open_paper_of(mine.id, "another browser") is None
    util._OPEN_PAPERS.clear()


def test_seats_missing_together_read_their_room_once(app, seat):
    """At the synchronised start a room's seats miss the cache together: a miss that waited for
    another's read finds the paper that read cached, and reads nothing itself."""
    attempt, _item, _change = seat
    util._OPEN_PAPERS.clear()
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    found: list = []

    def second_miss() -> None:
        with app.app_context():
            found.append(util.open_paper_of(attempt.id, attempt.client_token))

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with util._LOADING:  # the first miss is reading the room
            waiting = threading.Thread(target=second_miss)
            waiting.start()
            waiting.join(0.2)
            assert waiting.is_alive(), "the second miss waits for the first read"
            util._read_room_of(attempt.id)
            assert len(statements) == 1
        waiting.join(5)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
        util._OPEN_PAPERS.clear()
    assert [(p.attempt_id, p.paper_id) for p in found] == [(attempt.id, attempt.paper_id)]
    assert len(statements) == 1, "the second miss read nothing"


def test_a_cached_paper_holds_nothing_the_garbage_collector_watches(seat):
    """Every seat's paper stays cached while its sitting runs; a full collection walks whatever
    the collector tracks, with every request thread stopped. A cached entry holds numbers, a
    string and a time - not the seat's item order (the JSON's lists, one per item, stay tracked)."""
    attempt, _item, _change = seat
    util._OPEN_PAPERS.clear()
    paper = util.open_paper_of(attempt.id, attempt.client_token)
    assert (paper.attempt_id, paper.paper_id) == (attempt.id, attempt.paper_id)
    assert not any(gc.is_tracked(field) for field in paper)
    util._OPEN_PAPERS.clear()


def test_every_seat_shows_its_forms_items_each_with_all_its_options(running):
    """The autosave checks changes against the form's items, not each seat's own order: that
    holds because every prepared attempt shows every item of its form with every option."""
    attempts = list(db.session.scalars(sa.select(Attempt).where(Attempt.session_id == running["session"].id)))
    assert len({a.paper_id for a in attempts}) > 1 or len(attempts) > 1
    for attempt in attempts:
        items = util.sealed_items(clock.timing_of(attempt.id))
        shown = {item_id: sorted(labels) for item_id, labels in attempt.item_order}
        assert shown == {item_id: sorted(item.texts) for item_id, item in items.items()}
        assert len(shown) == len(attempt.item_order)  # no item twice


def test_a_change_to_an_option_the_item_does_not_have_is_refused_and_nothing_is_written(seat):
    attempt, _item, change = seat
    for bad, field in ((dict(change, choice=["Z"]), "choice"), (dict(change, item=10**9), "paper_item_id"),
                       (dict(change, choice=[change["choice"][0]] * 2), "choice")):  # fmt: skip
        parsed = saving.parse_changes({"changes": [bad]})
        with pytest.raises(DomainError) as refused:
            saving.save(attempt.id, attempt.client_token, parsed)
        assert [p.field for p in refused.value.problems] == [field]
    assert stored(attempt) == []
