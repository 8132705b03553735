"""Room, seat and station edits (scheduling.operations): the rules, the edges and the refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from examsys.core.audit import AuditEntry
from examsys.core.db import db
from examsys.core.errors import DomainError
from examsys.modules.catalog import operations as catalog
from examsys.modules.registration import operations as registration
from examsys.modules.registration.models import Application, Path
from examsys.modules.scheduling import operations as ops
from examsys.modules.scheduling.models import ExamPlan, ExamSession, Placement, RoomKind, SessionKind

_serial = iter(range(1, 10_000))


def place(make_person, room, *, seat=None, station=None) -> Placement:
    """A candidate placed on ``seat`` or ``station`` in a fresh session (the minimum rows it takes)."""
    n = next(_serial)
    occupation = catalog.save_occupation(None, name=f"座位测试职业{n}", code=f"9-99-{n // 100 % 100:02d}-{n % 100:02d}")
    job = catalog.save_job(occupation.jobs[0], occupation=occupation, name="", levels=[4])
    person = make_person(name=f"考生{n}")
    batch = registration.save_batch(
        None,
        registration.BatchData(
            name=f"批次{n}", job=job, level=4, path=Path.EXAM, college=person.college,
            opens_at=datetime(2026, 9, 1, tzinfo=UTC), closes_at=datetime(2026, 10, 1, tzinfo=UTC),
            exam_date=date(2026, 11, 1),
        ),
    )  # fmt: skip
    application = Application(batch=batch, person=person, submitted_at=datetime(2026, 9, 2, tzinfo=UTC))
    plan = ExamPlan(name=f"计划{n}")
    kind = SessionKind.THEORY if seat is not None else SessionKind.PRACTICAL
    session = ExamSession(plan=plan, kind=kind, name="第一场", starts_at=datetime(2026, 11, 1, 1, tzinfo=UTC),
                          duration_minutes=90)  # fmt: skip
    placement = Placement(session=session, application=application, room=room, seat=seat, station=station)
    db.session.add_all([application, plan, session, placement])
    db.session.flush()
    return placement


@pytest.fixture
def lab(db_session):
    return ops.create_lab("L301", "东楼301", "东楼", 2, 3, subnet="10.20.1")


@pytest.fixture
def venue(db_session):
    occupation = catalog.save_occupation(None, name="车工", code="6-18-01-01")
    return ops.create_venue("P-JJG", "机加工实训中心", RoomKind.PRACTICAL, 3, "车床", [occupation], area_m2=300)


def fields(problems) -> set[str]:
    return {p.field for p in problems}


def test_create_lab_keeps_working_and_capacity_counts_seats_in_service(lab):
    assert [s.label for s in lab.seats] == ["A01", "A02", "A03", "B01", "B02", "B03"]
    assert lab.capacity == 6
    ops.set_seat_in_service(lab.seats[0], False)
    assert lab.capacity == 5


def test_update_room_fields_is_audited_and_checks_code_and_name(lab, venue):
    data = ops.RoomFields(code=" L301A ", name="东楼 301 机房", building="东楼", front_camera="rtsp://cam/1")
    ops.update_room(lab, data)
    assert (lab.code, lab.front_camera) == ("L301A", "rtsp://cam/1")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "room.update")).one()
    assert '"code": "L301"' in entry.before and '"code": "L301A"' in entry.after
    with pytest.raises(DomainError) as caught:
        ops.update_room(lab, ops.RoomFields(code="P-JJG", name="", area_m2=-1))
    assert fields(caught.value.problems) == {"code", "name", "area_m2"}
    assert "已被其他考场使用" in str(caught.value.problems[0])


def test_resize_grows_with_default_labels_hosts_and_next_ips(lab):
    ops.resize_lab(lab, 3, 4)
    seats = {s.label: s for s in lab.seats}
    assert len(seats) == 12 and (lab.rows, lab.cols) == (3, 4)
    assert seats["A04"].hostname == "l301-a04" and seats["C01"].row == 3
    ips = [s.ip for s in lab.seats]
    assert len(set(ips)) == 12 and all(ip.startswith("10.20.1.") for ip in ips)
    assert seats["A01"].ip == "10.20.1.11"  # existing seats are untouched


def test_resize_shrinks_but_refuses_to_drop_a_placed_seat(lab, make_person):
    b03 = next(s for s in lab.seats if s.label == "B03")
    place(make_person, lab, seat=b03)
    with pytest.raises(DomainError) as caught:
        ops.resize_lab(lab, 1, 3)
    assert "B03" in str(caught.value.problems[0]) and "已安排考生" in str(caught.value.problems[0])
    assert len(lab.seats) == 6 and lab.rows == 2
    ops.resize_lab(lab, 2, 3)  # same size is fine
    a_row_only = ops.create_lab("L302", "东楼302", "东楼", 2, 2, subnet="10.20.2")
    ops.resize_lab(a_row_only, 1, 1)
    assert [s.label for s in a_row_only.seats] == ["A01"]


@pytest.mark.parametrize(("rows", "cols", "field"), [(0, 3, "rows"), (2, 0, "cols"), (27, 3, "rows"), (2, 100, "cols")])
def test_resize_refuses_a_non_positive_or_oversized_grid(lab, rows, cols, field):
    with pytest.raises(DomainError) as caught:
        ops.resize_lab(lab, rows, cols)
    assert fields(caught.value.problems) == {field}


def test_resize_is_for_labs_only(venue):
    with pytest.raises(DomainError, match="不是理论机房"):
        ops.resize_lab(venue, 2, 2)


def test_update_seat_validates_ip_and_names_the_clashing_field(lab):
    a01, a02 = lab.seats[0], lab.seats[1]
    ops.update_seat(a01, label=" A1 ", hostname="pc-a1", ip="10.20.1.200", in_service=False)
    assert (a01.label, a01.hostname, a01.ip, a01.in_service) == ("A1", "pc-a1", "10.20.1.200", False)
    with pytest.raises(DomainError) as caught:
        ops.update_seat(a02, label="A1", hostname="pc-a1", ip="10.20.1.200", in_service=True)
    problems = {p.field: str(p.message) for p in caught.value.problems}
    assert set(problems) == {"label", "hostname", "ip"}
    assert "座位号「A1」已被本考场座位 A1 使用" in problems["label"]
    for bad in ("10.20.1", "10.20.1.256", "10.20.01.5", "fe80::1", "abc"):
        with pytest.raises(DomainError) as caught:
            ops.update_seat(a02, label="A02", hostname="", ip=bad, in_service=True)
        assert fields(caught.value.problems) == {"ip"}, bad
    with pytest.raises(DomainError) as caught:
        ops.update_seat(a02, label="", hostname="bad host!", ip="", in_service=True)
    assert fields(caught.value.problems) == {"label", "hostname"}


def test_same_ip_in_another_room_is_allowed(lab):
    other = ops.create_lab("L302", "东楼302", "东楼", 1, 1, subnet="10.20.2")
    ops.update_seat(other.seats[0], label="A01", hostname="x", ip=lab.seats[0].ip, in_service=True)


def test_toggle_seat_out_of_service_is_audited_once(lab):
    seat = lab.seats[2]
    ops.set_seat_in_service(seat, False)
    ops.set_seat_in_service(seat, False)
    count = db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "seat.service"))
    assert count == 1 and not seat.in_service


def test_stations_add_number_on_and_refuse_duplicates(venue):
    added = ops.add_stations(venue, 2, "数控车床")
    assert [s.label for s in added] == ["004", "005"] and venue.capacity == 5
    ops.add_station(venue, "A-1", "铣床")
    with pytest.raises(DomainError) as caught:
        ops.add_station(venue, "A-1")
    assert fields(caught.value.problems) == {"label"}
    with pytest.raises(DomainError):
        ops.add_stations(venue, 0)


def test_update_and_remove_station_refusing_a_placed_one(venue, make_person):
    first, second = venue.stations[0], venue.stations[1]
    ops.update_station(first, label="001", station_type="普通车床", in_service=False)
    assert venue.capacity == 2
    with pytest.raises(DomainError):
        ops.update_station(first, label="002", station_type="", in_service=True)
    place(make_person, venue, station=second)
    with pytest.raises(DomainError, match="已安排考生"):
        ops.remove_station(second)
    ops.remove_station(first)
    assert [s.label for s in venue.stations] == ["002", "003"]


def test_stations_and_occupations_are_for_venues_only(lab, venue):
    with pytest.raises(DomainError, match="没有实操工位"):
        ops.add_station(lab, "001")
    welder = catalog.save_occupation(None, name="焊工", code="6-18-02-04")
    ops.set_occupations(venue, [welder, welder])
    assert [o.name for o in venue.occupations] == ["焊工"]
    with pytest.raises(DomainError):
        ops.set_occupations(lab, [welder])


def test_create_room_lab_and_venue(db_session):
    lab = ops.create_room(RoomKind.THEORY_LAB, ops.RoomFields(code="L9", name="新机房"), rows=2, cols=2)
    assert lab.capacity == 4 and lab.seats[0].hostname == "l9-a01" and lab.seats[0].ip == ""
    yard = ops.create_room(RoomKind.OUTDOOR, ops.RoomFields(code="O9", name="叉车场", area_m2=1000))
    assert yard.capacity == 0 and yard.rows == 0
    with pytest.raises(DomainError) as caught:
        ops.create_room(RoomKind.THEORY_LAB, ops.RoomFields(code="L9", name="重名"), rows=0, cols=2)
    assert fields(caught.value.problems) == {"code", "rows"}
