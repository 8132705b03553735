"""Check-in with the late-entry cut-off, the room record and its PDF, supervisors' rulings."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.modules.delivery import clock
from examsys.modules.proctoring import documents, operations, util
from examsys.modules.proctoring.models import CheckIn, IncidentKind
from examsys.modules.scheduling.models import Placement
from tests.conftest import PASSWORD
from tests.delivery.conftest import at


def placements():
    return db.session.scalars(sa.select(Placement).order_by(Placement.id)).all()


def test_check_in_is_refused_after_the_cut_off_and_the_rest_are_marked_absent(exam, make_user):
    proctor = make_user(Role.PROCTOR)
    first, second, third = placements()
    operations.check_in(first, proctor, at(14))
    operations.check_in(first, proctor, at(14.5))  # twice is harmless
    with pytest.raises(DomainError) as refused:
        operations.check_in(second, proctor, at(16))
    assert "15 分钟后不得入场" in str(refused.value)
    assert operations.mark_absent(exam["session"], at(10)) == 0  # not before the cut-off
    assert operations.mark_absent(exam["session"], at(16)) == 2
    states = {c.placement_id: c.present for c in db.session.scalars(sa.select(CheckIn))}
    assert states == {first.id: True, second.id: False, third.id: False}


def test_the_cut_off_is_configurable(app, exam, make_user):
    app.config["LATE_ENTRY_MINUTES"] = 30
    try:
        operations.check_in(placements()[0], make_user(Role.PROCTOR), at(25))
    finally:
        app.config["LATE_ENTRY_MINUTES"] = 15


def test_incidents_and_a_supervisor_ruling(exam, make_user):
    proctor, supervisor = make_user(Role.PROCTOR), make_user(Role.SUPERVISOR)
    target = placements()[0]
    with pytest.raises(DomainError):
        operations.record_incident(
            exam["session"], exam["lab"], IncidentKind.MISCONDUCT, " ", by=proctor, placement=target
        )
    incident = operations.record_incident(exam["session"], exam["lab"], IncidentKind.MISCONDUCT, "夹带纸条",
                                          by=proctor, placement=target, action_taken="没收纸条，记录在案",
                                          occurred_at=at(20))  # fmt: skip
    with pytest.raises(DomainError):
        operations.rule_misconduct(incident, "", supervisor)
    operations.rule_misconduct(incident, "证据确凿", supervisor)
    assert incident.voids_result and util.voided_placements(exam["session"]) == {target.id}
    with pytest.raises(DomainError):
        operations.rule_misconduct(incident, "再次", supervisor)
    other = operations.record_incident(
        exam["session"], exam["lab"], IncidentKind.DEVICE_FAILURE, "机器死机", by=proctor
    )
    with pytest.raises(DomainError):
        operations.rule_misconduct(other, "x", supervisor)


def test_the_room_record_pdf_lists_attendance_incidents_and_actions_in_chinese(exam, make_user):
    proctor = make_user(Role.PROCTOR)
    first = placements()[0]
    operations.check_in(first, proctor, at(1))
    operations.mark_absent(exam["session"], at(20))
    operations.record_incident(exam["session"], exam["lab"], IncidentKind.DEVICE_FAILURE, "第3排机器蓝屏",
                               by=proctor, placement=first, action_taken="换到备用座位", occurred_at=at(30))  # fmt: skip
    clock.pause_room(exam["session"], exam["lab"], "全楼停电", at(40))
    clock.resume_room(exam["session"], exam["lab"], at(45))
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(documents.room_record_pdf(exam["session"], exam["lab"]))).pages
    )
    for expected in ("考场记录表", first.application.person.name, "到考", "缺考", "设备故障", "第3排机器蓝屏",
                     "换到备用座位", "全场暂停", "全楼停电"):  # fmt: skip
        assert expected in text, expected


def test_pages_and_permissions(app, make_exam, make_user):
    exam = make_exam(utcnow() - timedelta(minutes=10))

    def client_for(role):
        client = app.test_client()
        user = make_user(role)
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        return client, user

    session, lab = exam["session"], exam["lab"]
    proctor, proctor_user = client_for(Role.PROCTOR)
    from examsys.modules.scheduling import staffing
    from examsys.modules.scheduling.models import StaffRole

    staffing.assign_staff(session, proctor_user, StaffRole.PROCTOR, lab)
    assert session.name in proctor.get("/proctoring/").get_data(as_text=True)
    page = proctor.get(f"/proctoring/sessions/{session.id}/rooms/{lab.id}").get_data(as_text=True)
    assert all(p.application.person.name in page for p in placements())
    assert proctor.post(f"/proctoring/sessions/{session.id}/rooms/{lab.id}/incidents",
                        data={"kind": "disturbance", "description": "喧哗"}).status_code == 302  # fmt: skip
    incident = util.incidents(session)[0]
    assert proctor.post(f"/proctoring/incidents/{incident.id}/rule", data={"reason": "x"}).status_code == 403
    supervisor, _ = client_for(Role.SUPERVISOR)
    assert "喧哗" in supervisor.get(f"/proctoring/sessions/{session.id}").get_data(as_text=True)
    assert supervisor.post(f"/proctoring/incidents/{incident.id}/note", data={"note": "已核实"}).status_code == 302
    pdf = supervisor.get(f"/proctoring/sessions/{session.id}/rooms/{lab.id}/record.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
