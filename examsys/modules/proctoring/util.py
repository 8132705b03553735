"""Proctoring reads: attendance, the room record's contents, the supervisor's overview."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core.audit import AuditEntry
from examsys.core.db import db, get_or_404
from examsys.modules.delivery.models import Attempt, AttemptStatus
from examsys.modules.proctoring.models import CheckIn, Incident, RoomMessage
from examsys.modules.registration.models import Application
from examsys.modules.scheduling import util as scheduling_util
from examsys.modules.scheduling.models import ExamSession, Placement, Room, StaffAssignment, StaffRole


def get_incident(incident_id: int) -> Incident:
    return get_or_404(Incident, incident_id, _("考场记录不存在"))


def room_placements(session: ExamSession, room: Room) -> list[Placement]:
    return sorted(
        db.session.scalars(
            sa.select(Placement).where(Placement.session_id == session.id, Placement.room_id == room.id)
            .options(selectinload(Placement.application).selectinload(Application.person), selectinload(Placement.seat))
        ),
        key=lambda p: (p.seat.row, p.seat.col) if p.seat else (0, 0),
    )  # fmt: skip


def attendance(placements: list[Placement]) -> dict[int, CheckIn]:
    rows = db.session.scalars(sa.select(CheckIn).where(CheckIn.placement_id.in_([p.id for p in placements])))
    return {c.placement_id: c for c in rows}


def incidents(session: ExamSession, room: Room | None = None) -> list[Incident]:
    query = sa.select(Incident).where(Incident.session_id == session.id).order_by(Incident.occurred_at)
    if room is not None:
        query = query.where(Incident.room_id == room.id)
    return list(db.session.scalars(query))


def voided_placements(session: ExamSession) -> set[int]:
    return set(db.session.scalars(
        sa.select(Incident.placement_id).where(Incident.session_id == session.id, Incident.voids_result)
    ))  # fmt: skip


ACTIONS = ("room.open", "room.pause", "room.resume", "attempt.pause", "attempt.resume", "attempt.extend",
           "attempt.credit", "attempt.submit", "attempt.relogin", "placement.move", "room.broadcast")  # fmt: skip


def room_actions(session: ExamSession, room: Room, placements: list[Placement]) -> list[AuditEntry]:
    """The audited actions taken in the room: clock actions, pauses, extensions, hand-ins, moves, broadcasts."""
    attempts = [str(a) for a in db.session.scalars(
        sa.select(Attempt.id).where(Attempt.placement_id.in_([p.id for p in placements]))
    )]  # fmt: skip
    messages = [str(m.id) for m in room_messages(session.id, room.id)]
    clock_id = f"{session.id}:{room.id}"
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.in_(ACTIONS), sa.or_(
            sa.and_(AuditEntry.object_type == "room_clocks", AuditEntry.object_id == clock_id),
            sa.and_(AuditEntry.object_type == "attempts", AuditEntry.object_id.in_(attempts)),
            sa.and_(AuditEntry.object_type == "placements", AuditEntry.object_id.in_([str(p.id) for p in placements])),
            sa.and_(AuditEntry.object_type == "room_messages", AuditEntry.object_id.in_(messages)),
        )).order_by(AuditEntry.seq)
    ))  # fmt: skip


def room_messages(session_id: int, room_id: int, limit: int | None = None) -> list[RoomMessage]:
    """The room's broadcasts, newest first (the exam page shows the latest few)."""
    query = (
        sa.select(RoomMessage)
        .where(RoomMessage.session_id == session_id, RoomMessage.room_id == room_id)
        .order_by(RoomMessage.sent_at.desc(), RoomMessage.id.desc())
    )
    return list(db.session.scalars(query.limit(limit) if limit else query))


def staff_of(session: ExamSession, room: Room | None) -> dict[str, list[str]]:
    staff = scheduling_util.session_staff(session)
    return {
        "proctors": [a.user.display_name for a in staff if a.role is StaffRole.PROCTOR and a.room_id == (room.id if room else None)],
        "supervisors": [a.user.display_name for a in staff if a.role is StaffRole.SUPERVISOR],
    }  # fmt: skip


def overview(session: ExamSession) -> list[dict]:
    """Every room of a session at a glance, for the supervisor."""
    rows = []
    for room in session.rooms:
        placed = room_placements(session, room)
        seen = attendance(placed)
        status = dict(db.session.execute(
            sa.select(Attempt.placement_id, Attempt.status).where(Attempt.placement_id.in_([p.id for p in placed]))
        ).tuples().all())  # fmt: skip
        rows.append({
            "room": room,
            "seated": len(placed),
            "present": sum(1 for c in seen.values() if c.present),
            "absent": sum(1 for c in seen.values() if not c.present),
            "in_progress": sum(1 for s in status.values() if s is AttemptStatus.IN_PROGRESS),
            "submitted": sum(1 for s in status.values() if s is AttemptStatus.SUBMITTED),
            "incidents": len(incidents(session, room)),
        })  # fmt: skip
    return rows


def my_duties(user, now, days: int = 7) -> list[dict]:
    """Sessions from yesterday to ``days`` ahead: the user's own rooms, or every room for office and supervisors."""
    from_day, to_day = now - timedelta(days=1), now + timedelta(days=days)
    sessions = db.session.scalars(
        sa.select(ExamSession).where(ExamSession.starts_at >= from_day, ExamSession.starts_at <= to_day)
        .order_by(ExamSession.starts_at)
    ).all()  # fmt: skip
    everything = user.can("scheduling.view")
    mine = {
        (a.session_id, a.room_id)
        for a in db.session.scalars(sa.select(StaffAssignment).where(StaffAssignment.user_id == user.id))
    }
    rows = []
    for session in sessions:
        rooms = [r for r in session.rooms if everything or (session.id, r.id) in mine]
        if rooms:
            rows.append({"session": session, "rooms": rooms})
    return rows
