"""Reads that turn a session's rooms, candidates and staff into the pure staffing rules' inputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from examsys.core.db import db
from examsys.core.timezone import to_local
from examsys.modules.accounts.models import User
from examsys.modules.registration.models import Application, Batch
from examsys.modules.scheduling import staffing_rules as rules
from examsys.modules.scheduling import util
from examsys.modules.scheduling.models import (
    ExaminerCard,
    ExamSession,
    Placement,
    Recusal,
    RecusalKind,
    StaffAssignment,
    StaffingRatio,
    StaffRole,
    TeachingRecord,
)


def session_info(session: ExamSession) -> rules.SessionInfo:
    # Local times, so the exam date and the messages are the centre's calendar.
    return rules.SessionInfo(session.id, to_local(session.starts_at), to_local(session.ends_at), session.name)


def exam_rooms(session: ExamSession) -> list[rules.ExamRoom]:
    placed = db.session.scalars(
        sa.select(Placement)
        .where(Placement.session_id == session.id)
        .options(
            selectinload(Placement.application).selectinload(Application.person),
            selectinload(Placement.application).selectinload(Application.batch).selectinload(Batch.job),
        )
    ).all()
    by_room: dict[int, list[rules.RoomCandidate]] = defaultdict(list)
    for p in placed:
        app = p.application
        by_room[p.room_id].append(rules.RoomCandidate(app.person_id, app.batch.job.occupation_id, app.batch.level,
                                                      app.batch_id, app.person.class_name, app.person.name))  # fmt: skip
    return [
        rules.ExamRoom(r.id, f"{r.code} {r.name}", r.kind.value, tuple(by_room.get(r.id, ())))
        for r in sorted(session.rooms, key=lambda r: r.code)
    ]


def staff_members(users: Iterable[User], session: ExamSession) -> list[rules.StaffMember]:
    """Each user with their roles, cards, recusals, teaching and other duties (all in a few queries)."""
    users = list(users)
    ids = [u.id for u in users]
    cards: dict[int, list[rules.Card]] = defaultdict(list)
    for card in db.session.scalars(sa.select(ExaminerCard).where(ExaminerCard.user_id.in_(ids))):
        cards[card.user_id].append(rules.Card(card.occupation_id, card.highest_level, card.issued_on, card.valid_until,
                                              card.number))  # fmt: skip
    conflicts: dict[int, set[int]] = defaultdict(set)
    relatives: dict[int, set[int]] = defaultdict(set)
    for r in db.session.scalars(sa.select(Recusal).where(Recusal.user_id.in_(ids))):
        (relatives if r.kind is RecusalKind.RELATIVE else conflicts)[r.user_id].add(r.person_id)
    taught: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for t in db.session.scalars(sa.select(TeachingRecord).where(TeachingRecord.user_id.in_(ids))):
        taught[t.user_id].add((t.batch_id, t.class_name))
    busy = util.staff_busy(ids, exclude_sessions=[session.id])
    return [
        rules.StaffMember(
            u.id, u.display_name, frozenset(role.value for role, needed in util.ROLE_OF.items() if u.has_role(needed)),
            tuple(cards[u.id]), frozenset(conflicts[u.id]), frozenset(relatives[u.id]), frozenset(taught[u.id]),
            tuple(rules.Commitment(to_local(b.start), to_local(b.end), b.label) for b in busy.get(u.id, [])),
        )
        for u in users
    ]  # fmt: skip


def assignments(session: ExamSession) -> list[rules.Assignment]:
    rows = db.session.scalars(sa.select(StaffAssignment).where(StaffAssignment.session_id == session.id))
    return [rules.Assignment(a.user_id, a.role.value, a.room_id, a.manual) for a in rows]


def ratios(session: ExamSession) -> dict[int, rules.Ratio]:
    return {
        r.occupation_id: rules.Ratio(r.candidates_per_proctor, r.min_proctors, r.candidates_per_examiner,
                                     r.min_examiners, r.examiners_odd)
        for r in db.session.scalars(sa.select(StaffingRatio))
    }  # fmt: skip


def occupation_names(session: ExamSession) -> dict[int, str]:
    return {b.job.occupation_id: b.job.occupation.name for b in session.plan.batches}


def pool(role: StaffRole) -> list[User]:
    return util.staff_with_role(util.ROLE_OF[role])
