"""Practical seating from the database: venues of the occupation, slots clear of the theory sitting."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.core.timezone import from_local
from examsys.modules.catalog import operations as catalog
from examsys.modules.scheduling import operations as rooms
from examsys.modules.scheduling import practical_seating, seating, sessions
from examsys.modules.scheduling.models import Placement, RoomKind, SessionKind


def at(hour, minute=0):
    return from_local(datetime(2026, 12, 10, hour, minute))


@pytest.fixture
def setup(school, make_plan, make_exam_batch, enrol, make_lab):
    batch = make_exam_batch()
    apps = enrol(batch, {"1班": 5, "2班": 4})
    other = catalog.save_occupation(None, name="车工", code="6-18-01-01")
    venue = rooms.create_venue("P-DS", "电商实训中心", RoomKind.PRACTICAL, 4, "电商运营工位", [school["occupation"]])
    lathe = rooms.create_venue("P-JJG", "机加工实训中心", RoomKind.PRACTICAL, 10, "车床", [other])
    plan = make_plan(batches=[batch])
    lab = make_lab(rows=4, cols=5)
    theory = sessions.create_session(plan, sessions.SessionData(SessionKind.THEORY, "理论", at(8, 30), 90, [lab]))
    slots = [
        sessions.create_session(
            plan, sessions.SessionData(SessionKind.PRACTICAL, f"实操{n}", start, 60, [venue, lathe])
        )
        for n, start in enumerate([at(9), at(10, 30), at(13), at(14, 30)], start=1)
    ]
    return {"plan": plan, "apps": apps, "venue": venue, "lathe": lathe, "theory": theory, "slots": slots}


def rows():
    return db.session.scalars(sa.select(Placement).where(Placement.station_id.is_not(None))).all()


def test_candidates_get_stations_of_their_occupations_venue_clear_of_their_theory_sitting(setup):
    seating.allocate_theory(setup["plan"])
    report = practical_seating.allocate_practical(setup["plan"])
    assert report.placed == 9 and report.unplaced == [] and report.shortages == []
    placed = rows()
    assert {p.room_id for p in placed} == {setup["venue"].id}
    # 09:00 overlaps the 08:30-10:00 theory sitting; 4 stations a slot: 4 + 4 + 1 from 10:30 on.
    assert setup["slots"][0].id not in {p.session_id for p in placed}
    assert len({(p.session_id, p.station_id) for p in placed}) == 9


def test_too_few_station_slots_are_reported_with_reasons(setup):
    for slot in setup["slots"][2:]:
        sessions.delete_session(slot)
    seating.allocate_theory(setup["plan"])
    report = practical_seating.allocate_practical(setup["plan"])
    assert report.placed == 4 and len(report.unplaced) == 5
    assert report.shortages and "电子商务师" in report.shortages[0]
    assert all("：" in line and line.split("：")[0].startswith("考生") for line in report.unplaced)


def test_rerun_keeps_stations_and_a_move_onto_a_taken_station_is_refused(setup):
    seating.allocate_theory(setup["plan"])
    practical_seating.allocate_practical(setup["plan"])
    before = {p.application_id: (p.session_id, p.station_id) for p in rows()}
    again = practical_seating.allocate_practical(setup["plan"])
    assert again.moved == [] and again.kept == 9
    assert {p.application_id: (p.session_id, p.station_id) for p in rows()} == before
    first, second = sorted(rows(), key=lambda p: p.id)[:2]
    with pytest.raises(DomainError) as refused:
        practical_seating.move_to_station(first, second.session, second.station)
    assert "已被考生" in refused.value.problems[0].message
    lathe_station = setup["lathe"].stations[0]
    with pytest.raises(DomainError):
        practical_seating.move_to_station(first, first.session, lathe_station)
