"""Sessions (场次): create, change and delete theory sittings and practical slots, refusing conflicts.

Refused, with the reason: a room booked by another overlapping session (of any plan); a theory
session in a room that is not a theory lab, or a practical slot in a lab; an inactive room;
moving a session so that one of its candidates or staff would be in two places at once.
After the plan is approved every change needs a reason (``plans.require_change_reason``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.scheduling import util
from examsys.modules.scheduling.models import (
    ExamPlan,
    ExamSession,
    Placement,
    Room,
    RoomKind,
    SessionKind,
    StaffAssignment,
)
from examsys.modules.scheduling.plans import require_change_reason

MAX_DURATION_MINUTES = 8 * 60


@dataclass
class SessionData:
    kind: SessionKind
    name: str
    starts_at: datetime  # aware
    duration_minutes: int
    rooms: list[Room]


def create_session(plan: ExamPlan, data: SessionData, reason: str = "") -> ExamSession:
    require_change_reason(plan, reason)
    _check(plan, None, data)
    session = ExamSession(plan=plan, kind=data.kind, name=data.name.strip(), starts_at=data.starts_at,
                          duration_minutes=data.duration_minutes, rooms=list(data.rooms))  # fmt: skip
    db.session.add(session)
    audit.record("session.create", session, after={**_snapshot(session), "reason": reason})
    return session


def update_session(session: ExamSession, data: SessionData, reason: str = "") -> None:
    require_change_reason(session.plan, reason)
    if data.kind is not session.kind and _has_placements(session):
        raise DomainError(_("场次已有考生，不能更改考试类型"), [Problem(_("场次已有考生"), field="kind")])
    _check(session.plan, session, data)
    removed = {r.id for r in session.rooms} - {r.id for r in data.rooms}
    in_removed = sa.select(Placement.id).where(Placement.session_id == session.id, Placement.room_id.in_(removed))
    if removed and db.session.scalar(in_removed.limit(1)):
        raise DomainError(_("被移除的考场里还有考生，请先调整座位"), [Problem(_("考场里还有考生"), field="rooms")])
    before = _snapshot(session)
    session.kind, session.name, session.starts_at = data.kind, data.name.strip(), data.starts_at
    session.duration_minutes, session.rooms = data.duration_minutes, list(data.rooms)
    audit.record("session.update", session, before=before, after={**_snapshot(session), "reason": reason})


def delete_session(session: ExamSession, reason: str = "") -> None:
    """Delete a session; its placements and staff go with it (the audit entry counts them)."""
    require_change_reason(session.plan, reason)
    placed = db.session.query(Placement).filter_by(session_id=session.id).count()
    staff = db.session.query(StaffAssignment).filter_by(session_id=session.id).count()
    audit.record("session.delete", session, before=_snapshot(session),
                 after={"placements": placed, "staff": staff, "reason": reason})  # fmt: skip
    session.plan.sessions.remove(session)
    db.session.delete(session)
    db.session.flush()


def _has_placements(session: ExamSession) -> bool:
    return db.session.query(Placement.id).filter_by(session_id=session.id).first() is not None


def _check(plan: ExamPlan, session: ExamSession | None, data: SessionData) -> None:
    problems = _field_problems(data)
    if not problems:
        end = data.starts_at + timedelta(minutes=data.duration_minutes)
        exclude = [session.id] if session is not None else []
        problems += _room_problems(data, end, exclude)
        if session is not None:
            problems += _people_problems(session, data.starts_at, end)
    if problems:
        raise DomainError(_("场次未保存"), problems)


def _field_problems(data: SessionData) -> list[Problem]:
    problems = []
    if not data.name.strip():
        problems.append(Problem(_("请填写场次名称"), field="name"))
    if data.starts_at is None or data.starts_at.tzinfo is None:
        problems.append(Problem(_("请填写开始时间"), field="starts_at"))
    if not 0 < (data.duration_minutes or 0) <= MAX_DURATION_MINUTES:
        problems.append(Problem(_("时长应在 1–%(max)s 分钟之间", max=MAX_DURATION_MINUTES), field="duration_minutes"))
    if not data.rooms:
        problems.append(Problem(_("至少选择一个考场"), field="rooms"))
    wanted = {RoomKind.THEORY_LAB} if data.kind is SessionKind.THEORY else {RoomKind.PRACTICAL, RoomKind.OUTDOOR}
    for room in data.rooms:
        if room.kind not in wanted:
            problems.append(Problem(_("%(room)s 是%(kind)s，不能用于%(session)s", room=room.name, kind=room.kind.title,
                                      session=data.kind.title), field="rooms"))  # fmt: skip
        elif not room.active:
            problems.append(Problem(_("%(room)s 已停用", room=room.name), field="rooms"))
    return problems


def _room_problems(data: SessionData, end: datetime, exclude: list[int]) -> list[Problem]:
    problems = []
    booked = util.room_bookings([r.id for r in data.rooms], data.starts_at, end, exclude)
    for room in data.rooms:
        for other in booked.get(room.id, []):
            problems.append(Problem(_("%(room)s 在该时段已被“%(other)s”（%(plan)s）占用", room=room.name,
                                      other=util.session_label(other), plan=other.plan.name), field="rooms"))  # fmt: skip
    return problems


def _people_problems(session: ExamSession, start: datetime, end: datetime) -> list[Problem]:
    """Moving a session must not put any of its candidates or staff in two places."""
    problems = []
    placed = db.session.query(Placement).filter_by(session_id=session.id).all()
    by_person = {p.application.person_id: p.application.person.name for p in placed}
    for person_id, busy in util.people_busy(by_person, exclude_sessions=[session.id]).items():
        for clash in util.clashes(busy, start, end):
            problems.append(Problem(_("考生 %(name)s 在该时段已安排“%(other)s”", name=by_person[person_id],
                                      other=clash.label), field="starts_at"))  # fmt: skip
    staff = db.session.query(StaffAssignment).filter_by(session_id=session.id).all()
    names = {a.user_id: a.user.display_name for a in staff}
    for user_id, busy in util.staff_busy(names, exclude_sessions=[session.id]).items():
        for clash in util.clashes(busy, start, end):
            problems.append(Problem(_("%(name)s 在该时段已在“%(other)s”值守", name=names[user_id],
                                      other=clash.label), field="starts_at"))  # fmt: skip
    return problems


def _snapshot(session: ExamSession) -> dict:
    return {
        "plan": session.plan_id,
        "kind": session.kind.value,
        "name": session.name,
        "starts_at": session.starts_at.isoformat(),
        "duration_minutes": session.duration_minutes,
        "rooms": [r.code for r in session.rooms],
    }
