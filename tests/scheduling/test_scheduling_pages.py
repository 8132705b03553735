"""The scheduling pages with the office's, a supervisor's and a proctor's logins."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from examsys.core.db import db
from examsys.core.permissions import Role
from examsys.modules.scheduling.models import ExamPlan, Placement, PlanStatus
from tests.conftest import PASSWORD


def _client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def office(app, make_user):
    return _client(app, make_user(Role.EXAM_OFFICE))


@pytest.fixture
def batch(make_exam_batch, enrol):
    batch = make_exam_batch()
    enrol(batch, {"24电商1班": 12, "24电商2班": 8})
    return batch


def _make_plan(office, batch, lab):
    response = office.post("/scheduling/plans", data={"name": "冬季计划", "batch_id": [batch.id], "spare_seats_per_lab": 2,
                                                      "form_count": 2, "lead_working_days": 10})  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    plan = db.session.scalars(sa.select(ExamPlan)).one()
    response = office.post(f"/scheduling/plans/{plan.id}/sessions", data={"kind": "theory", "name": "第1场",
                           "starts_at": "2026-12-10T08:30", "duration_minutes": 90, "room_id": [lab.id]})  # fmt: skip
    assert response.status_code == 302
    return plan


def test_office_plans_allocates_and_sees_every_seat_on_the_map(office, batch, make_lab):
    lab = make_lab(rows=5, cols=6)
    plan = _make_plan(office, batch, lab)
    assert office.post(f"/scheduling/plans/{plan.id}/allocate").status_code == 302
    page = office.get(f"/scheduling/plans/{plan.id}").get_data(as_text=True)
    assert "第1场" in page and lab.code in page
    session = plan.sessions[0]
    seat_map = office.get(f"/scheduling/sessions/{session.id}/rooms/{lab.id}").get_data(as_text=True)
    placed = db.session.scalars(sa.select(Placement)).all()
    assert len(placed) == 20
    for p in placed:
        assert f'id="seat-{p.seat.label}"' in seat_map and p.application.person.name in seat_map
    assert "讲台" in seat_map and "备用" in seat_map


def test_move_onto_an_occupied_seat_is_refused_with_the_reason(office, batch, make_lab):
    lab = make_lab(rows=5, cols=6)
    plan = _make_plan(office, batch, lab)
    office.post(f"/scheduling/plans/{plan.id}/allocate")
    first, second = db.session.scalars(sa.select(Placement).order_by(Placement.id)).all()[:2]
    url = f"/scheduling/sessions/{plan.sessions[0].id}/rooms/{lab.id}"
    response = office.post(f"/scheduling/placements/{first.id}/move", data={"seat": second.seat.label},
                           headers={"Referer": url}, follow_redirects=True)  # fmt: skip
    assert "已被考生" in response.get_data(as_text=True)
    db.session.refresh(first)
    assert first.seat_id != second.seat_id


def test_filing_late_then_approval_needs_an_override(office, batch, make_lab):
    plan = _make_plan(office, batch, make_lab())
    response = office.post(f"/scheduling/plans/{plan.id}/file", data={"filed_on": "2026-12-01"}, follow_redirects=True)
    assert "报备迟于截止日" in response.get_data(as_text=True)
    url = f"/scheduling/plans/{plan.id}"
    refused = office.post(f"{url}/approve", data={"approved_on": "2026-12-02", "approval_ref": "REF-9"},
                          headers={"Referer": url}, follow_redirects=True)  # fmt: skip
    assert "中心特批原因" in refused.get_data(as_text=True)
    office.post(f"{url}/approve", data={"approved_on": "2026-12-02", "approval_ref": "REF-9",
                                        "late_override_reason": "省中心同意"})  # fmt: skip
    db.session.refresh(plan)
    assert plan.status is PlanStatus.APPROVED


@pytest.mark.parametrize("role", [Role.PROCTOR, Role.COORDINATOR, Role.EXAMINER])
def test_others_cannot_change_the_plan(app, make_user, batch, make_lab, office, role):
    plan = _make_plan(office, batch, make_lab())
    other = _client(app, make_user(role))
    assert other.post(f"/scheduling/plans/{plan.id}/allocate").status_code == 403
    assert other.get(f"/scheduling/plans/{plan.id}").status_code == 403


def test_supervisor_sees_the_plan_but_cannot_allocate(app, make_user, batch, make_lab, office):
    plan = _make_plan(office, batch, make_lab())
    supervisor = _client(app, make_user(Role.SUPERVISOR))
    assert supervisor.get(f"/scheduling/plans/{plan.id}").status_code == 200
    assert supervisor.post(f"/scheduling/plans/{plan.id}/allocate").status_code == 403


def test_plan_documents_download(office, batch, make_lab):
    plan = _make_plan(office, batch, make_lab())
    office.post(f"/scheduling/plans/{plan.id}/allocate")
    pdf = office.get(f"/scheduling/plans/{plan.id}/plan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    xlsx = office.get(f"/scheduling/plans/{plan.id}/plan.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert "attachment" in xlsx.headers["Content-Disposition"]


def test_staffing_pages_flag_one_proctor_and_record_cards_and_recusals(
    app, office, batch, make_lab, make_user, make_person, school
):
    lab = make_lab(rows=5, cols=6)
    plan = _make_plan(office, batch, lab)
    office.post(f"/scheduling/plans/{plan.id}/allocate")
    proctor = make_user(Role.PROCTOR)
    session = plan.sessions[0]
    assert office.post(f"/scheduling/sessions/{session.id}/staff", data={"role": "proctor", "user_id": proctor.id,
                       "room_id": lab.id}).status_code == 302  # fmt: skip
    page = office.get(f"/scheduling/plans/{plan.id}/staffing").get_data(as_text=True)
    assert 'data-code="proctor_shortage"' in page and "现有 1 人" in page and 'data-code="no_supervisor"' in page
    examiner = make_user(Role.EXAMINER)
    response = office.post("/scheduling/examiners/cards", data={"user_id": examiner.id, "number": "KP-1",
                           "occupation_id": school["occupation"].id, "highest_level": 3, "issued_on": "2025-03-01"},
                           follow_redirects=True)  # fmt: skip
    assert "2028-03-01" in response.get_data(as_text=True)
    person = make_person(name="李四")
    response = office.post("/scheduling/examiners/recusals", data={"user_id": examiner.id, "kind": "relative",
                           "id_number": person.documents[0].number}, follow_redirects=True)  # fmt: skip
    assert "李四" in response.get_data(as_text=True) and "亲属关系" in response.get_data(as_text=True)
    missing = office.post("/scheduling/examiners/recusals", data={"user_id": examiner.id, "id_number": "000"},
                          headers={"Referer": "/scheduling/examiners"}, follow_redirects=True)  # fmt: skip
    assert "没有证件号码为 000 的人员" in missing.get_data(as_text=True)


def test_practical_allocation_page_lists_stations(office, batch, make_lab, school):
    from examsys.modules.scheduling import operations as rooms
    from examsys.modules.scheduling.models import RoomKind

    venue = rooms.create_venue("P-DS", "电商实训中心", RoomKind.PRACTICAL, 30, "电商运营工位", [school["occupation"]])
    plan = _make_plan(office, batch, make_lab())
    office.post(f"/scheduling/plans/{plan.id}/sessions", data={"kind": "practical", "name": "实操1",
                "starts_at": "2026-12-10T14:00", "duration_minutes": 120, "room_id": [venue.id]})  # fmt: skip
    office.post(f"/scheduling/plans/{plan.id}/allocate")
    assert office.post(f"/scheduling/plans/{plan.id}/allocate-practical").status_code == 302
    slot = next(s for s in plan.sessions if s.kind.value == "practical")
    page = office.get(f"/scheduling/sessions/{slot.id}/rooms/{venue.id}").get_data(as_text=True)
    stations = db.session.scalars(sa.select(Placement).where(Placement.station_id.is_not(None))).all()
    assert len(stations) == 20 and all(p.station.label in page and p.application.person.name in page for p in stations)
