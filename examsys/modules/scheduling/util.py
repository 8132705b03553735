"""Read queries for scheduling: bookings, who is busy when, approved candidates of a plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core.db import db, get_or_404
from examsys.core.permissions import Role
from examsys.core.timezone import to_local
from examsys.modules.accounts.models import User, UserRole
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application, ApplicationStatus, Batch, Path
from examsys.modules.scheduling import allocation as alloc
from examsys.modules.scheduling.models import (
    ExaminerCard,
    ExamPlan,
    ExamSession,
    Placement,
    Recusal,
    Room,
    RoomKind,
    Seat,
    SessionKind,
    StaffAssignment,
    StaffingRatio,
    StaffRole,
    TeachingRecord,
    plan_batches,
)
from examsys.modules.scheduling.models.plans import session_rooms


@dataclass(frozen=True)
class Busy:
    """Someone (or something) taken from ``start`` to ``end`` by ``session``."""

    start: datetime
    end: datetime
    session_id: int
    label: str  # e.g. "11月28日 08:30–10:00 第1场理论"


def session_label(session: ExamSession) -> str:
    start, end = to_local(session.starts_at), to_local(session.ends_at)
    return f"{start:%m-%d %H:%M}–{end:%H:%M} {session.name}"


def _overlapping(start: datetime, end: datetime, exclude: Iterable[int] = ()) -> sa.Select:
    # Sessions store start + duration; filter coarsely in SQL (start < end) and exactly in Python.
    query = sa.select(ExamSession).where(ExamSession.starts_at < end)
    exclude = list(exclude)
    if exclude:
        query = query.where(ExamSession.id.not_in(exclude))
    return query


def overlapping_sessions(start: datetime, end: datetime, exclude: Iterable[int] = ()) -> list[ExamSession]:
    """Every session (of any plan) that overlaps ``[start, end)``."""
    return [s for s in db.session.scalars(_overlapping(start, end, exclude)) if s.ends_at > start]


def room_bookings(room_ids: Iterable[int], start: datetime, end: datetime, exclude: Iterable[int] = ()) -> dict:
    """{room_id: [overlapping sessions using it]} for the given rooms."""
    room_ids = set(room_ids)
    found: dict[int, list[ExamSession]] = defaultdict(list)
    sessions = overlapping_sessions(start, end, exclude)
    if not sessions or not room_ids:
        return found
    rows = db.session.execute(
        sa.select(session_rooms.c.session_id, session_rooms.c.room_id).where(
            session_rooms.c.session_id.in_([s.id for s in sessions]), session_rooms.c.room_id.in_(room_ids)
        )
    )
    by_id = {s.id: s for s in sessions}
    for session_id, room_id in rows:
        found[room_id].append(by_id[session_id])
    return found


def people_busy(person_ids: Iterable[int], exclude_sessions: Iterable[int] = ()) -> dict[int, list[Busy]]:
    """{person_id: sessions they are placed in}, across all their applications and plans."""
    query = (
        sa.select(Application.person_id, ExamSession)
        .join(Placement, Placement.application_id == Application.id)
        .join(ExamSession, ExamSession.id == Placement.session_id)
    )
    return _busy(query, Application.person_id, person_ids, exclude_sessions)


def staff_busy(user_ids: Iterable[int], exclude_sessions: Iterable[int] = ()) -> dict[int, list[Busy]]:
    """{user_id: sessions they are on duty in}."""
    query = sa.select(StaffAssignment.user_id, ExamSession).join(
        ExamSession, ExamSession.id == StaffAssignment.session_id
    )
    return _busy(query, StaffAssignment.user_id, user_ids, exclude_sessions)


def _busy(query: sa.Select, key, ids: Iterable[int], exclude_sessions: Iterable[int]) -> dict[int, list[Busy]]:
    ids = list(set(ids))
    found: dict[int, list[Busy]] = defaultdict(list)
    if not ids:
        return found
    query = query.where(key.in_(ids))
    exclude = list(exclude_sessions)
    if exclude:
        query = query.where(ExamSession.id.not_in(exclude))
    for owner, session in db.session.execute(query):
        found[owner].append(Busy(session.starts_at, session.ends_at, session.id, session_label(session)))
    return found


def clashes(busy: Iterable[Busy], start: datetime, end: datetime) -> list[Busy]:
    return [b for b in busy if b.start < end and start < b.end]


def approved_applications(plan: ExamPlan) -> list[Application]:
    """The plan's candidates: approved applications of its batches, with person loaded."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .join(plan_batches, plan_batches.c.batch_id == Application.batch_id)
            .where(plan_batches.c.plan_id == plan.id, Application.status == ApplicationStatus.APPROVED)
            .options(selectinload(Application.person), selectinload(Application.batch))
            .order_by(Application.id)
        )
    )


def class_key(person: Person) -> str:
    """Who counts as classmates: same college, grade and class; people without a class have none."""
    if person.class_name:
        return f"{person.college_id or 0}:{person.grade}:{person.class_name}"
    return f"person:{person.id}"


def class_title(person: Person) -> str:
    return person.class_name or ""


def plan_placements(plan: ExamPlan, kind=None) -> list[Placement]:
    query = (
        sa.select(Placement)
        .join(ExamSession, ExamSession.id == Placement.session_id)
        .where(ExamSession.plan_id == plan.id)
        .options(selectinload(Placement.application).selectinload(Application.person))
    )
    if kind is not None:
        query = query.where(ExamSession.kind == kind)
    return list(db.session.scalars(query))


def lab_spec(room: Room) -> alloc.Lab:
    seats = [alloc.SeatSpec(s.id, s.row, s.col, s.in_service, s.label) for s in room.seats]
    return alloc.Lab(room.id, room.rows, room.cols, seats, name=f"{room.code} {room.name}")


def settings_for(plan: ExamPlan) -> alloc.Settings:
    return alloc.Settings(spare_per_lab=plan.spare_seats_per_lab, forms=plan.forms)


def list_plans() -> list[ExamPlan]:
    return list(db.session.scalars(sa.select(ExamPlan).order_by(ExamPlan.id.desc())))


def get_plan(plan_id: int) -> ExamPlan:
    return get_or_404(ExamPlan, plan_id, _("考试计划不存在"))


def get_session(session_id: int) -> ExamSession:
    return get_or_404(ExamSession, session_id, _("场次不存在"))


def get_room(room_id: int) -> Room:
    return get_or_404(Room, room_id, _("考场不存在"))


def get_seat(seat_id: int) -> Seat:
    return get_or_404(Seat, seat_id, _("座位不存在"))


def get_user(user_id: int) -> User:
    return get_or_404(User, user_id, _("账户不存在"))


def get_placement(placement_id: int) -> Placement:
    return get_or_404(Placement, placement_id, _("座位安排不存在"))


def free_exam_batches(plan: ExamPlan | None = None) -> list[Batch]:
    """Exam-path batches not in another plan (those of ``plan`` included)."""
    taken = sa.select(plan_batches.c.batch_id)
    if plan is not None:
        taken = taken.where(plan_batches.c.plan_id != plan.id)
    return list(
        db.session.scalars(sa.select(Batch).where(Batch.path == Path.EXAM, Batch.id.not_in(taken)).order_by(Batch.id))
    )


def rooms_of_kind(*kinds: RoomKind) -> list[Room]:
    return list(db.session.scalars(sa.select(Room).where(Room.kind.in_(kinds), Room.active).order_by(Room.code)))


def staff_with_role(role) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).join(UserRole).where(UserRole.role == role, User.active).order_by(User.display_name)
        )
    )


def session_placements(session: ExamSession, room: Room | None = None) -> list[Placement]:
    query = (
        sa.select(Placement)
        .where(Placement.session_id == session.id)
        .options(selectinload(Placement.application).selectinload(Application.person), selectinload(Placement.seat),
                 selectinload(Placement.station))
    )  # fmt: skip
    if room is not None:
        query = query.where(Placement.room_id == room.id)
    return list(db.session.scalars(query))


def session_staff(session: ExamSession) -> list[StaffAssignment]:
    return list(
        db.session.scalars(
            sa.select(StaffAssignment)
            .where(StaffAssignment.session_id == session.id)
            .options(selectinload(StaffAssignment.user), selectinload(StaffAssignment.room))
            .order_by(StaffAssignment.role, StaffAssignment.id)
        )
    )


def room_counts(session: ExamSession) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Placement.room_id, sa.func.count())
        .where(Placement.session_id == session.id)
        .group_by(Placement.room_id)
    )
    return dict(rows.tuples().all())


def seat_map(session: ExamSession, room: Room) -> dict:
    """The lab's grid for one session: every seat with its state and who sits there (plain dicts)."""
    plan = session.plan
    spares = set(alloc.spare_seat_ids(lab_spec(room), settings_for(plan)))
    placed = {p.seat_id: p for p in session_placements(session, room)}
    grid = [[None] * room.cols for _ in range(room.rows)]
    for seat in room.seats:
        p = placed.get(seat.id)
        grid[seat.row - 1][seat.col - 1] = {
            "id": seat.id,
            "label": seat.label,
            "host": seat.hostname,
            "ip": seat.ip,
            "in_service": seat.in_service,
            "spare": seat.id in spares,
            "form": p.form if p else alloc.form_for(seat.row, seat.col, plan.forms),
            "placement": None if p is None else {
                "id": p.id,
                "name": p.application.person.name,
                "class": p.application.person.class_name,
                "manual": p.manual,
            },
        }  # fmt: skip
    return {"rows": grid, "placed": len(placed), "spares": len(spares), "capacity": room.capacity}


# The account role each duty needs.
ROLE_OF = {StaffRole.PROCTOR: Role.PROCTOR, StaffRole.EXAMINER: Role.EXAMINER, StaffRole.SUPERVISOR: Role.SUPERVISOR}


def staffing_roles_for(kind: SessionKind) -> list[StaffRole]:
    if kind is SessionKind.THEORY:
        return [StaffRole.PROCTOR, StaffRole.SUPERVISOR]
    return [StaffRole.EXAMINER, StaffRole.SUPERVISOR]


def examiner_cards() -> list[ExaminerCard]:
    return list(db.session.scalars(
        sa.select(ExaminerCard).options(selectinload(ExaminerCard.user), selectinload(ExaminerCard.occupation))
        .order_by(ExaminerCard.user_id, ExaminerCard.valid_until)
    ))  # fmt: skip


def recusals() -> list[Recusal]:
    return list(db.session.scalars(sa.select(Recusal).order_by(Recusal.user_id, Recusal.id)))


def teaching_records() -> list[TeachingRecord]:
    return list(db.session.scalars(sa.select(TeachingRecord).order_by(TeachingRecord.user_id, TeachingRecord.id)))


def staffing_ratios() -> list[StaffingRatio]:
    return list(db.session.scalars(sa.select(StaffingRatio).options(selectinload(StaffingRatio.occupation))))


def staff_groups(session: ExamSession) -> list[dict]:
    """The session's staff grouped by room and duty, rooms in code order, supervisors last."""
    groups: dict[tuple, dict] = {}
    for a in session_staff(session):
        key = (a.room is None, a.room.code if a.room else "", a.role.value)
        group = groups.setdefault(key, {"room": a.room, "role": a.role, "people": []})
        group["people"].append(a)
    return [groups[k] for k in sorted(groups)]
