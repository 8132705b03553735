"""Theory seating from the database: allocate, keep seats on re-runs, manual moves, sittings as needed."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.timezone import from_local, local_date
from examsys.modules.registration.models import ApplicationStatus
from examsys.modules.scheduling import seating, sessions
from examsys.modules.scheduling.models import Placement, Seat, SessionKind

MORNING = from_local(datetime(2026, 12, 10, 8, 30))
AFTERNOON = from_local(datetime(2026, 12, 10, 14, 0))


def sitting(plan, name, start, labs):
    return sessions.create_session(plan, sessions.SessionData(SessionKind.THEORY, name, start, 90, labs))


def placements(plan):
    return {p.application_id: p for p in db.session.scalars(sa.select(Placement))}


def neighbours(rows):
    """Pairs of placements side by side or front/back in the same session and room."""
    at = {(p.session_id, p.room_id, p.seat.row, p.seat.col): p for p in rows}
    for (s, r, row, col), p in at.items():
        for other in (at.get((s, r, row, col + 1)), at.get((s, r, row + 1, col))):
            if other is not None:
                yield p, other


@pytest.fixture
def mixed_plan(make_plan, make_exam_batch, enrol, make_lab):
    """Two batches, five classes, 100 candidates; two 6x8 labs (2 x 46 usable seats with 2 spares)."""
    one, two = make_exam_batch(), make_exam_batch()
    enrol(one, {"24电商1班": 30, "24电商2班": 20})
    enrol(two, {"24物流1班": 25, "24会计1班": 15, "23电商1班": 10})
    plan = make_plan(batches=[one, two])
    labs = [make_lab(rows=6, cols=8), make_lab(rows=6, cols=8)]
    return plan, labs


def test_allocates_across_sittings_with_spares_kept_and_no_classmates_or_forms_side_by_side(mixed_plan):
    plan, labs = mixed_plan
    sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    report = seating.allocate_theory(plan)
    assert report.placed == 100 and report.unplaced == [] and report.warnings == []
    rows = list(placements(plan).values())
    per_room = Counter((p.session_id, p.room_id) for p in rows)
    assert max(per_room.values()) <= 46  # two spare seats kept in every lab and sitting
    assert all(p.seat.in_service for p in rows)
    for a, b in neighbours(rows):
        assert a.application.person.class_name != b.application.person.class_name
        assert a.form != b.form
    assert {p.form for p in rows} == {"A", "B"}


def test_short_capacity_reports_the_unplaced_and_the_sittings_still_needed(mixed_plan):
    plan, labs = mixed_plan
    sitting(plan, "第1场", MORNING, labs[:1])
    report = seating.allocate_theory(plan)
    assert report.placed == 46 and len(report.unplaced) == 54
    assert report.capacity_per_sitting == 46 and report.sittings_needed == 2


def test_rerun_after_late_additions_moves_nobody(mixed_plan, enrol):
    plan, labs = mixed_plan
    sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    seating.allocate_theory(plan)
    before = {k: (p.session_id, p.seat_id) for k, p in placements(plan).items()}
    late = enrol(plan.batches[0], {"24电商1班": 2, "24电商3班": 3})
    report = seating.allocate_theory(plan)
    after = {k: (p.session_id, p.seat_id) for k, p in placements(plan).items()}
    assert report.moved == [] and report.kept == 100 and report.new == 5
    assert all(after[k] == v for k, v in before.items())
    assert all(a.id in after for a in late)


def test_withdrawn_candidates_free_their_seats_on_rerun(mixed_plan):
    plan, labs = mixed_plan
    sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    seating.allocate_theory(plan)
    gone = next(iter(placements(plan).values())).application
    gone.status = ApplicationStatus.REJECTED
    report = seating.allocate_theory(plan)
    assert report.removed == 1 and gone.id not in placements(plan)


def test_one_person_with_two_applications_never_sits_two_overlapping_sittings(
    make_plan, make_exam_batch, enrol, make_lab
):
    one, two = make_exam_batch(), make_exam_batch()
    (first,) = enrol(one, {"1班": 1})
    enrol(two, {"1班": 1}, person=first.person)
    plan = make_plan(batches=[one, two])
    labs = [make_lab()]
    sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    seating.allocate_theory(plan)
    rows = list(placements(plan).values())
    assert len(rows) == 2 and rows[0].session_id != rows[1].session_id


def _seat(room, label):
    return next(s for s in room.seats if s.label == label)


def test_moves_onto_an_occupied_or_out_of_service_seat_are_refused(mixed_plan):
    plan, labs = mixed_plan
    first = sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    seating.allocate_theory(plan)
    rows = [p for p in placements(plan).values() if p.session_id == first.id and p.room_id == labs[0].id]
    mover, other = rows[0], rows[1]
    with pytest.raises(DomainError) as refused:
        seating.move_to_seat(mover, first, other.seat)
    assert (
        "已被考生" in refused.value.problems[0].message
        and other.application.person.name in refused.value.problems[0].message
    )
    broken = next(s for s in labs[0].seats if s.id not in {p.seat_id for p in rows})
    broken.in_service = False
    with pytest.raises(DomainError) as refused:
        seating.move_to_seat(mover, first, broken)
    assert "已停用" in refused.value.problems[0].message
    assert mover.seat_id == rows[0].seat_id


def test_a_clean_move_is_stored_audited_and_kept_on_rerun(mixed_plan):
    plan, labs = mixed_plan
    first = sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    seating.allocate_theory(plan)
    taken = {(p.session_id, p.seat_id) for p in placements(plan).values()}
    mover = next(iter(placements(plan).values()))
    spare = _seat(labs[1], "F08")  # a back corner: kept as a spare
    assert (first.id, spare.id) not in taken
    warnings = seating.move_to_seat(mover, first, spare, reason="机器故障")
    assert any("备用座位" in w for w in warnings)
    assert mover.seat_id == spare.id and mover.manual and mover.form in {"A", "B"}
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "placement.move")).one()
    assert json.loads(entry.after)["seat"] == "F08" and json.loads(entry.after)["reason"] == "机器故障"
    seating.allocate_theory(plan)
    assert placements(plan)[mover.application_id].seat_id == spare.id


def test_move_into_a_room_outside_the_session_is_refused(mixed_plan, make_lab):
    plan, labs = mixed_plan
    first = sitting(plan, "第1场", MORNING, labs)
    seating.allocate_theory(plan)
    mover = next(iter(placements(plan).values()))
    elsewhere = make_lab()
    with pytest.raises(DomainError):
        seating.move_to_seat(mover, first, elsewhere.seats[0])


def test_plan_sittings_creates_just_enough_sittings_on_working_days(mixed_plan):
    plan, labs = mixed_plan
    # Friday 11 Dec 2026: two slots that day, then Monday (the weekend is skipped).
    created = seating.plan_sittings(plan, date(2026, 12, 11), [time(8, 30)], 90, labs[:1])
    assert len(created) == 3  # 100 candidates / 46 usable seats
    assert [local_date(s.starts_at) for s in created] == [date(2026, 12, 11), date(2026, 12, 14), date(2026, 12, 15)]
    report = seating.allocate_theory(plan)
    assert report.unplaced == []


def test_seat_ids_are_those_of_the_sessions_labs(mixed_plan):
    plan, labs = mixed_plan
    sitting(plan, "第1场", MORNING, labs)
    sitting(plan, "第2场", AFTERNOON, labs)
    seating.allocate_theory(plan)
    seat_rooms = dict(db.session.execute(sa.select(Seat.id, Seat.room_id)).tuples().all())
    assert all(seat_rooms[p.seat_id] == p.room_id for p in placements(plan).values())
