"""Scheduling through /api/v1: read plans, allocate, move with the same checks, staff, filing."""

from __future__ import annotations

from datetime import datetime

import pytest

from examsys.core.permissions import Role
from examsys.core.timezone import from_local
from examsys.modules.accounts.operations import issue_api_token
from examsys.modules.scheduling import sessions
from examsys.modules.scheduling.models import SessionKind


def bearer(user) -> dict[str, str]:
    _token, plain = issue_api_token(user, "scheduling api test")
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def plan(make_plan, make_exam_batch, enrol, make_lab):
    batch = make_exam_batch()
    enrol(batch, {"1班": 6, "2班": 6})
    plan = make_plan(batches=[batch])
    start = from_local(datetime(2026, 10, 20, 8, 30))
    sessions.create_session(
        plan, sessions.SessionData(SessionKind.THEORY, "第1场", start, 90, [make_lab(rows=4, cols=5)])
    )
    return plan


def test_allocate_then_read_placements_and_refuse_a_move_onto_an_occupied_seat(client, make_user, plan):
    headers = bearer(make_user(Role.EXAM_OFFICE))
    report = client.post(f"/api/v1/plans/{plan.id}/allocate", json={}, headers=headers)
    assert report.status_code == 200 and report.json["placed"] == 12 and report.json["unplaced"] == []
    session_id = plan.sessions[0].id
    placed = client.get(f"/api/v1/sessions/{session_id}/placements", headers=headers).json
    assert len(placed) == 12 and {p["form"] for p in placed} == {"A", "B"}
    first, second = placed[0], placed[1]
    seat_of_second = next(s.id for s in plan.sessions[0].rooms[0].seats if s.label == second["seat"])
    refused = client.post(f"/api/v1/placements/{first['id']}/move", json={"session_id": session_id,
                          "seat_id": seat_of_second}, headers=headers)  # fmt: skip
    assert refused.status_code == 422 and "已被考生" in refused.json["errors"][0]["message"]


def test_plan_reports_its_filing_deadline_and_late_filing(client, make_user, plan):
    headers = bearer(make_user(Role.EXAM_OFFICE))
    body = client.get(f"/api/v1/plans/{plan.id}", headers=headers).json
    assert body["filing"]["deadline"] == "2026-09-30" and body["sessions"][0]["rooms"]
    filed = client.post(f"/api/v1/plans/{plan.id}/file", json={"filed_on": "2026-10-08"}, headers=headers).json
    assert filed["late"] is True and filed["working_days_ahead"] == 9
    refused = client.post(f"/api/v1/plans/{plan.id}/approve", json={"approved_on": "2026-10-09",
                          "approval_ref": "R-1"}, headers=headers)  # fmt: skip
    assert refused.status_code == 422


def test_staff_assignment_checks_roles(client, make_user, plan):
    headers = bearer(make_user(Role.EXAM_OFFICE))
    session = plan.sessions[0]
    proctor, examiner = make_user(Role.PROCTOR), make_user(Role.EXAMINER)
    room_id = session.rooms[0].id
    ok = client.post(f"/api/v1/sessions/{session.id}/staff", json={"user_id": proctor.id, "role": "proctor",
                     "room_id": room_id}, headers=headers)  # fmt: skip
    assert ok.status_code == 201 and ok.json["room"] == session.rooms[0].code
    wrong = client.post(f"/api/v1/sessions/{session.id}/staff", json={"user_id": examiner.id, "role": "proctor",
                        "room_id": room_id}, headers=headers)  # fmt: skip
    assert wrong.status_code == 422 and "没有监考员角色" in wrong.json["errors"][0]["message"]
    assert [s["user"] for s in client.get(f"/api/v1/sessions/{session.id}/staff", headers=headers).json] == [
        proctor.username
    ]


def test_proctors_cannot_use_the_scheduling_api(client, make_user, plan):
    headers = bearer(make_user(Role.PROCTOR))
    assert client.get("/api/v1/plans", headers=headers).status_code == 403
    assert client.post(f"/api/v1/plans/{plan.id}/allocate", json={}, headers=headers).status_code == 403
