"""Proctoring writes: check-in with the late-entry cut-off, absences, incidents, supervisors' rulings."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db, utcnow
from examsys.core.errors import DomainError, Problem
from examsys.core.realtime import emit_after_commit
from examsys.modules.accounts.models import User
from examsys.modules.proctoring.models import CheckIn, Incident, IncidentKind
from examsys.modules.scheduling.models import ExamSession, Placement, Room

CHANNEL_NAMESPACE = "/proctor"
LOGIN_OPENS = timedelta(minutes=30)


def late_entry_minutes() -> int:
    return int(current_app.config.get("LATE_ENTRY_MINUTES", 15)) if has_app_context() else 15


def cutoff(session: ExamSession) -> datetime:
    return session.starts_at + timedelta(minutes=late_entry_minutes())


def _emit(session_id: int, room_id: int, event: str, data: dict) -> None:
    emit_after_commit(event, data, namespace=CHANNEL_NAMESPACE, room=f"exam:{session_id}:{room_id}",
                      session=db.session())  # fmt: skip


def check_in(placement: Placement, by: User | None, now: datetime | None = None) -> CheckIn:
    """Mark the candidate present after the identity check; refused after the late-entry cut-off."""
    now = now or utcnow()
    session = placement.session
    existing = db.session.get(CheckIn, placement.id)
    if existing is not None and existing.present:
        return existing
    if now < session.starts_at - LOGIN_OPENS:
        raise DomainError(_("开考前 30 分钟开始入场"), status=409)
    if now > cutoff(session):
        raise DomainError(_("开考 %(n)d 分钟后不得入场（%(name)s）", n=late_entry_minutes(),
                            name=placement.application.person.name), status=409)  # fmt: skip
    row = existing or CheckIn(placement_id=placement.id, present=True)
    row.present, row.at, row.by_id = True, now, by.id if by else None
    db.session.add(row)
    audit.record("checkin.present", object_type="check_ins", object_id=placement.id,
                 after={"person": placement.application.person_id, "at": now})  # fmt: skip
    _emit(session.id, placement.room_id, "checkin", {"placement": placement.id, "present": True})
    return row


def mark_absent(session: ExamSession, now: datetime | None = None) -> int:
    """After the cut-off, everyone not checked in is absent (a scheduled job calls this too)."""
    now = now or utcnow()
    if now <= cutoff(session):
        return 0
    placed = db.session.scalars(sa.select(Placement).where(Placement.session_id == session.id)).all()
    seen = set(
        db.session.scalars(sa.select(CheckIn.placement_id).where(CheckIn.placement_id.in_([p.id for p in placed])))
    )
    absent = [p for p in placed if p.id not in seen]
    for p in absent:
        db.session.add(CheckIn(placement_id=p.id, present=False, at=now))
    if absent:
        audit.record("checkin.absent", session, after={"absent": [p.id for p in absent]})
    return len(absent)


def mark_absent_everywhere(now: datetime) -> int:
    """The scheduled job: sessions of the last day whose cut-off has passed."""
    sessions = db.session.scalars(
        sa.select(ExamSession).where(ExamSession.starts_at <= now, ExamSession.starts_at >= now - timedelta(days=1))
    ).all()
    return sum(mark_absent(s, now) for s in sessions)


def record_incident(session: ExamSession, room: Room, kind: IncidentKind, description: str, *, by: User | None,
                    placement: Placement | None = None, action_taken: str = "",
                    occurred_at: datetime | None = None) -> Incident:  # fmt: skip
    """An entry of the room record (考场记录)."""
    problems = []
    if not description.strip():
        problems.append(Problem(_("请填写情况说明"), field="description"))
    if room not in session.rooms:
        problems.append(Problem(_("该考场不在此场次中"), field="room"))
    if placement is not None and (placement.session_id != session.id or placement.room_id != room.id):
        problems.append(Problem(_("该考生不在本考场"), field="placement"))
    if problems:
        raise DomainError(_("考场记录未保存"), problems)
    incident = Incident(session_id=session.id, room_id=room.id, placement=placement, kind=kind,
                        occurred_at=occurred_at or utcnow(), description=description.strip(),
                        action_taken=action_taken.strip(), proctor_id=by.id if by else None)  # fmt: skip
    db.session.add(incident)
    audit.record("incident.record", incident, after={"kind": kind.value, "placement": placement.id if placement else None,
                                                     "description": incident.description})  # fmt: skip
    _emit(session.id, room.id, "incident", {"incident": incident.id, "kind": kind.value, "title": kind.title})
    return incident


def add_supervisor_note(incident: Incident, note: str, by: User) -> None:
    if not note.strip():
        raise DomainError(_("请填写督导意见"), [Problem(_("请填写督导意见"), field="note")])
    before = incident.supervisor_note
    incident.supervisor_note = (before + "\n" if before else "") + f"{by.display_name}：{note.strip()}"
    audit.record("incident.note", incident, before={"note": before}, after={"note": incident.supervisor_note})


def rule_misconduct(incident: Incident, reason: str, by: User, now: datetime | None = None) -> None:
    """The supervisor's ruling on misconduct: the candidate's result in this session is void."""
    if incident.kind is not IncidentKind.MISCONDUCT or incident.placement_id is None:
        raise DomainError(_("只有针对考生的违纪/作弊记录可以认定成绩无效"))
    if not reason.strip():
        raise DomainError(_("请填写认定理由"), [Problem(_("请填写认定理由"), field="reason")])
    if incident.voids_result:
        raise DomainError(_("已认定成绩无效"))
    incident.voids_result, incident.ruled_by_id, incident.ruled_at = True, by.id, now or utcnow()
    add_supervisor_note(incident, _("认定成绩无效：%(r)s", r=reason.strip()), by)
    audit.record("incident.rule_void", incident, after={"placement": incident.placement_id, "reason": reason.strip()})
