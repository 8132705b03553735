"""The staff side of the machine test: prepare papers, the proctor's room view and controls."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from examsys.core.db import db, utcnow
from examsys.core.permissions import Role
from examsys.modules.delivery.models import Attempt, AttemptStatus, RoomClock, SessionOptions
from tests.conftest import PASSWORD


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def running(make_exam):
    return make_exam(utcnow() - timedelta(minutes=5))


def test_office_prepares_and_the_proctor_sees_every_seat(app, make_user, running):
    office = _client(app, make_user(Role.EXAM_OFFICE))
    session, lab = running["session"], running["lab"]
    assert office.post(f"/exam-admin/sessions/{session.id}/prepare").status_code == 302
    proctor = _client(app, make_user(Role.PROCTOR))
    page = proctor.get(f"/exam-admin/sessions/{session.id}/rooms/{lab.id}").get_data(as_text=True)
    for app_ in running["apps"]:
        assert app_.person.name in page
    assert proctor.post(f"/exam-admin/sessions/{session.id}/prepare").status_code == 403


def test_proctor_opens_pauses_and_extends(app, make_user, running, db_session):
    session, lab = running["session"], running["lab"]
    db_session.add(SessionOptions(session_id=session.id, start_by_proctor=True))
    db_session.flush()
    proctor = _client(app, make_user(Role.PROCTOR))
    url = f"/exam-admin/sessions/{session.id}/rooms/{lab.id}"
    assert proctor.post(f"{url}/room", data={"action": "open"}).status_code == 302
    clock = db.session.get(RoomClock, (session.id, lab.id))
    assert clock.opened_at is not None
    refused = proctor.post(f"{url}/room", data={"action": "pause"}, headers={"Referer": url}, follow_redirects=True)
    assert "请填写原因" in refused.get_data(as_text=True)
    attempt = db.session.scalars(sa.select(Attempt)).first()
    attempt.status, attempt.started_at = AttemptStatus.IN_PROGRESS, utcnow()
    proctor.post(
        f"{url}/candidate", data={"attempt_id": attempt.id, "action": "extend", "minutes": 10, "reason": "特殊安排"}
    )
    db.session.refresh(attempt)
    assert attempt.extra_seconds == 600
    supervisor = _client(app, make_user(Role.SUPERVISOR))
    assert supervisor.get(url).status_code == 200
    assert supervisor.post(f"{url}/room", data={"action": "pause", "reason": "x"}).status_code == 403
