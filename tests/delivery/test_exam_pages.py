"""The exam pages over HTTP: login at the seat, state, autosave acknowledgements, submit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core.db import db, utcnow
from examsys.modules.delivery import presence
from examsys.modules.delivery.models import Answer, Attempt, AttemptEvent, AttemptStatus, EventKind


@pytest.fixture
def running(make_exam):
    return make_exam(utcnow() - timedelta(minutes=40))


def log_in(client, exam, ticket="202612010101"):
    return client.post("/exam/login", data={"ticket_no": ticket, "id_number": exam["person"].documents[0].number})


def test_login_then_the_paper_without_keys(client, running):
    response = log_in(client, running)
    assert response.status_code == 302 and response.headers["Location"].endswith("/exam/")
    assert "exam.js" in client.get("/exam/").get_data(as_text=True)
    state = client.get("/exam/state?paper=1", headers={"Accept": "application/json"}).json
    assert state["open"] and len(state["items"]) == 20 and state["candidate"]["name"] == "王小明"
    assert 0 < state["remaining"] <= 50 * 60
    assert all("key" not in item and "answer" not in str(item).lower() for item in state["items"])


def test_wrong_id_is_refused_with_the_field_named(client, running):
    response = client.post("/exam/login", data={"ticket_no": "1", "id_number": "110101199001011237"},
                           headers={"Referer": "/exam/login"}, follow_redirects=True)  # fmt: skip
    assert "没有找到你此时段的理论考试" in response.get_data(as_text=True)


def test_saves_are_acknowledged_replays_are_harmless_and_submit_is_final(client, running):
    log_in(client, running)
    state = client.get("/exam/state?paper=1").json
    item = state["items"][0]
    body = {"changes": [{"item": item["id"], "choice": [item["options"][0]["label"]], "flagged": True, "seq": 1}]}
    assert client.post("/exam/save", json=body).json["ack"] == 1
    assert client.post("/exam/save", json=body).json["ack"] == 1  # replay after a lost acknowledgement
    answer = db.session.scalars(sa.select(Answer)).one()
    assert answer.flagged and answer.choice == [item["options"][0]["label"]]
    assert client.post("/exam/submit", json={}).status_code == 200
    attempt = db.session.scalars(sa.select(Attempt).where(Attempt.id == answer.attempt_id)).one()
    assert attempt.status is AttemptStatus.SUBMITTED
    late = client.post("/exam/save", json={"changes": [dict(body["changes"][0], seq=2)]})
    assert late.status_code == 409 and late.json["reason"] == "submitted"


def test_a_second_browser_takes_over_and_the_first_is_told(app, client, running):
    log_in(client, running)
    other = app.test_client()
    log_in(other, running)
    item = other.get("/exam/state?paper=1").json["items"][0]
    change = {"item": item["id"], "choice": [item["options"][1]["label"]], "flagged": False, "seq": 5}
    refused = client.post("/exam/save", json={"changes": [change]})
    assert refused.status_code == 409 and refused.json["reason"] == "superseded"
    assert other.post("/exam/save", json={"changes": [change]}).json["ack"] == 5


def test_exam_calls_need_the_seat_token(client, running):
    assert client.get("/exam/state").status_code == 401
    assert client.post("/exam/save", json={"changes": []}).status_code == 401
    assert client.get("/exam/").status_code == 302


def test_the_login_from_the_exam_page_answers_with_the_paper(client, running):
    form = {"ticket_no": "1", "id_number": running["person"].documents[0].number}
    answer = client.post("/exam/login", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    state = answer.json["state"]
    assert state["open"] and len(state["items"]) == 20 and state["candidate"]["name"] == "王小明"
    assert all("key" not in item for item in state["items"]) and state["answers"] == {}
    attempt = db.session.get(Attempt, answer.json["attempt"])
    assert attempt.status is AttemptStatus.IN_PROGRESS and attempt.started_at is not None  # opened at login
    assert client.get("/exam/state").json["status"] == "in_progress"  # the session is the exam login


def test_a_failed_login_from_the_exam_page_names_the_field(client, running):
    answer = client.post("/exam/login", data={"ticket_no": "1", "id_number": "110101199001011237"},
                         headers={"Accept": "application/json"})  # fmt: skip
    assert answer.status_code == 422
    assert answer.json["errors"][0]["field"] == "id_number" and "没有找到" in answer.json["message"]


def test_the_wrong_machine_is_refused_and_the_attempt_is_kept_for_the_proctor(app, client, running):
    number = running["person"].documents[0].number
    app.config["EXAM_SEAT_BINDING"] = True
    try:
        answer = client.post("/exam/login", data={"ticket_no": "1", "id_number": number},
                             headers={"Accept": "application/json"}, environ_base={"REMOTE_ADDR": "10.9.9.9"})  # fmt: skip
    finally:
        app.config["EXAM_SEAT_BINDING"] = False
    assert answer.status_code == 403 and running["lab"].name in answer.json["message"]
    kinds = db.session.scalars(sa.select(AttemptEvent.kind).where(AttemptEvent.detail.contains("10.9.9.9"))).all()
    assert kinds == [EventKind.SEAT_CHANGE]  # committed although the login was refused


def test_a_save_counts_as_a_heartbeat_and_carries_the_notice(client, running):
    log_in(client, running)
    state = client.get("/exam/state?paper=1").json
    attempt_id = db.session.scalars(sa.select(Attempt.id).where(Attempt.logins > 0)).one()
    item = state["items"][0]
    change = {"item": item["id"], "choice": [item["options"][0]["label"]], "flagged": False, "seq": 1}
    first = client.post("/exam/save", json={"changes": [change]}).json
    assert attempt_id in presence.last_beats([attempt_id])
    session_id, room_id = running["session"].id, running["lab"].id
    presence.notice(session_id, room_id)  # a proctor's broadcast to the room
    second = client.post("/exam/save", json={"changes": [dict(change, seq=2)]}).json
    assert second["notice"] == first["notice"] + 1


def test_a_replaced_browser_cannot_hand_in(app, client, running):
    log_in(client, running)
    other = app.test_client()
    log_in(other, running)
    refused = client.post("/exam/submit", json={}, headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "另一台机器" in refused.json["message"]
    assert db.session.scalars(sa.select(Attempt.status).where(Attempt.logins > 0)).one() is not AttemptStatus.SUBMITTED
