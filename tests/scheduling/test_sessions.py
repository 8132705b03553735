"""Sessions: rooms of the right kind, no double booking, nobody in two places at once."""

from __future__ import annotations

from datetime import datetime

import pytest

from examsys.core.errors import DomainError
from examsys.core.permissions import Role
from examsys.core.timezone import from_local
from examsys.modules.scheduling import operations as rooms
from examsys.modules.scheduling import seating, sessions, staffing
from examsys.modules.scheduling.models import RoomKind, SessionKind, StaffRole

MORNING = from_local(datetime(2026, 12, 10, 8, 30))
LATE_MORNING = from_local(datetime(2026, 12, 10, 9, 30))
AFTERNOON = from_local(datetime(2026, 12, 10, 14, 0))


def theory(name, start, labs, minutes=90):
    return sessions.SessionData(SessionKind.THEORY, name, start, minutes, labs)


def test_a_lab_cannot_be_booked_by_two_overlapping_sessions_even_across_plans(make_plan, make_lab):
    lab = make_lab()
    first = sessions.create_session(make_plan(), theory("第1场", MORNING, [lab]))
    with pytest.raises(DomainError) as refused:
        sessions.create_session(make_plan(), theory("第1场", LATE_MORNING, [lab]))
    message = refused.value.problems[0].message
    assert lab.name in message and "第1场" in message and "已被" in message
    # Back to back is fine: the first ends at 10:00.
    sessions.create_session(make_plan(), theory("第2场", from_local(datetime(2026, 12, 10, 10, 0)), [lab]))
    assert first.ends_at == from_local(datetime(2026, 12, 10, 10, 0))


def test_session_kind_must_match_the_rooms(make_plan, make_lab, school):
    venue = rooms.create_venue("P01", "实训楼", RoomKind.PRACTICAL, 6, "电商实训工位", [school["occupation"]])
    plan = make_plan()
    with pytest.raises(DomainError) as refused:
        sessions.create_session(plan, theory("第1场", MORNING, [venue]))
    assert "不能用于理论考试" in refused.value.problems[0].message
    with pytest.raises(DomainError):
        sessions.create_session(plan, sessions.SessionData(SessionKind.PRACTICAL, "实操1", MORNING, 60, [make_lab()]))
    sessions.create_session(plan, sessions.SessionData(SessionKind.PRACTICAL, "实操1", MORNING, 60, [venue]))


@pytest.mark.parametrize(
    ("name", "minutes", "labs", "field"),
    [("", 90, True, "name"), ("第1场", 0, True, "duration_minutes"), ("第1场", 90, False, "rooms")],
)
def test_bad_session_fields_are_named(make_plan, make_lab, name, minutes, labs, field):
    with pytest.raises(DomainError) as refused:
        sessions.create_session(make_plan(), theory(name, MORNING, [make_lab()] if labs else [], minutes))
    assert field in {p.field for p in refused.value.problems}


def test_moving_a_session_onto_a_candidates_other_session_is_refused(make_plan, make_lab, make_exam_batch, enrol):
    batch_a, batch_b = make_exam_batch(), make_exam_batch()
    (app_a,) = enrol(batch_a, {"24电商1班": 1})
    enrol(batch_b, {"24电商1班": 0})
    enrol(batch_b, {"x": 1}, person=app_a.person)  # the same person applied for a second occupation
    plan_a, plan_b = make_plan(batches=[batch_a]), make_plan(batches=[batch_b])
    s_a = sessions.create_session(plan_a, theory("A", MORNING, [make_lab()]))
    s_b = sessions.create_session(plan_b, theory("B", AFTERNOON, [make_lab()]))
    seating.allocate_theory(plan_a)
    seating.allocate_theory(plan_b)
    with pytest.raises(DomainError) as refused:
        sessions.update_session(s_b, theory("B", LATE_MORNING, list(s_b.rooms)))
    assert app_a.person.name in refused.value.problems[0].message
    assert s_a.starts_at == MORNING


def test_moving_a_session_onto_a_staff_members_other_duty_is_refused(make_plan, make_lab, make_user):
    proctor = make_user(Role.PROCTOR)
    one, two = make_lab(), make_lab()
    first = sessions.create_session(make_plan(), theory("A", MORNING, [one]))
    second = sessions.create_session(make_plan(), theory("B", AFTERNOON, [two]))
    staffing.assign_staff(first, proctor, StaffRole.PROCTOR, one)
    staffing.assign_staff(second, proctor, StaffRole.PROCTOR, two)
    with pytest.raises(DomainError) as refused:
        sessions.update_session(second, theory("B", LATE_MORNING, [two]))
    assert proctor.display_name in refused.value.problems[0].message


def test_rooms_with_candidates_cannot_be_dropped_from_a_session(make_plan, make_lab, make_exam_batch, enrol):
    batch = make_exam_batch()
    enrol(batch, {"1班": 3})
    plan = make_plan(batches=[batch])
    lab, spare_lab = make_lab(), make_lab()
    session = sessions.create_session(plan, theory("A", MORNING, [lab, spare_lab]))
    seating.allocate_theory(plan)
    with pytest.raises(DomainError):
        sessions.update_session(session, theory("A", MORNING, [spare_lab]))
    sessions.update_session(session, theory("A", AFTERNOON, [lab, spare_lab]))
    assert session.starts_at == AFTERNOON


def test_deleting_a_session_takes_its_placements(make_plan, make_lab, make_exam_batch, enrol):
    batch = make_exam_batch()
    enrol(batch, {"1班": 3})
    plan = make_plan(batches=[batch])
    session = sessions.create_session(plan, theory("A", MORNING, [make_lab()]))
    assert seating.allocate_theory(plan).placed == 3
    sessions.delete_session(session)
    assert plan.sessions == []
    assert seating.current_allocation(plan)[0].placements == {}
