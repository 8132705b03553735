"""Staff on duty: manual assignment with every check, examiner cards, recusal declarations.

Hard rules (refused): the account holds the role; proctors work in theory labs and examiners
in practical venues of the session; nobody is in two rooms of a session or in two overlapping
sessions; an examiner holds a card valid on the exam date for the occupation and level of every
candidate in the venue, and is not recused from any of them (declared conflict, relative, or a
student of a class they taught in that batch). Ratios and shortages are reported by
``staffing_check`` (see ``staffing_rules``), automatic assignment by ``auto_assign``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.accounts.models import User
from examsys.modules.catalog.models import Occupation
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Batch
from examsys.modules.scheduling import staffing_inputs as inputs
from examsys.modules.scheduling import staffing_rules as rules
from examsys.modules.scheduling import util
from examsys.modules.scheduling.models import (
    ExaminerCard,
    ExamPlan,
    ExamSession,
    Recusal,
    RecusalKind,
    Room,
    RoomKind,
    StaffAssignment,
    StaffingRatio,
    StaffRole,
    TeachingRecord,
)
from examsys.modules.scheduling.plans import require_change_reason
from examsys.modules.scheduling.staffing_assign import assign as assign_rules

CARD_YEARS = 3


def assign_staff(session: ExamSession, user: User, role: StaffRole, room: Room | None = None, *,
                 reason: str = "", manual: bool = True) -> StaffAssignment:  # fmt: skip
    """Put ``user`` on duty; refuses anything that breaks a hard rule, naming it."""
    require_change_reason(session.plan, reason)
    problems = assignment_problems(session, user, role, room)
    if problems:
        raise DomainError(_("不能安排 %(name)s", name=user.display_name), [Problem(p, field="user") for p in problems])
    assignment = StaffAssignment(session=session, user=user, role=role, room=room, manual=manual)
    db.session.add(assignment)
    audit.record("staff.assign", assignment, after={**_describe(assignment), "reason": reason})
    return assignment


def unassign_staff(assignment: StaffAssignment, reason: str = "") -> None:
    require_change_reason(assignment.session.plan, reason)
    audit.record("staff.unassign", assignment, before=_describe(assignment), after={"reason": reason})
    db.session.delete(assignment)
    db.session.flush()


def assignment_problems(session: ExamSession, user: User, role: StaffRole, room: Room | None) -> list[str]:
    """Every hard rule ``user`` would break on duty as ``role`` in ``room`` of ``session``."""
    problems = []
    if not user.active or not user.has_role(util.ROLE_OF[role]):
        problems.append(_("%(name)s 没有%(role)s角色", name=user.display_name, role=role.title))
    if role is StaffRole.SUPERVISOR:
        room = None
    elif room is None or room.id not in {r.id for r in session.rooms}:
        problems.append(_("请选择本场次的考场"))
    elif role is StaffRole.PROCTOR and room.kind is not RoomKind.THEORY_LAB:
        problems.append(_("监考员只安排在理论机房"))
    elif role is StaffRole.EXAMINER and room.kind is RoomKind.THEORY_LAB:
        problems.append(_("考评员只安排在实操场地"))
    taken = db.session.scalar(
        sa.select(StaffAssignment).where(StaffAssignment.session_id == session.id, StaffAssignment.user_id == user.id)
    )
    if taken is not None:
        where = taken.room.name if taken.room else _("本场次")
        problems.append(_("%(name)s 已在本场次 %(where)s 担任%(role)s", name=user.display_name, where=where,
                          role=taken.role.title))  # fmt: skip
    busy = util.staff_busy([user.id], exclude_sessions=[session.id]).get(user.id, [])
    for clash in util.clashes(busy, session.starts_at, session.ends_at):
        problems.append(_("%(name)s 在该时段已在“%(other)s”值守", name=user.display_name, other=clash.label))
    if role is StaffRole.EXAMINER and room is not None and not problems:
        problems += examiner_problems(user, session, room)
    return problems


def examiner_problems(user: User, session: ExamSession, room: Room) -> list[str]:
    """Card and recusal problems of ``user`` marking every candidate placed in ``room`` of ``session``."""
    (member,) = inputs.staff_members([user], session)
    candidates = next((r.candidates for r in inputs.exam_rooms(session) if r.id == room.id), ())
    info = inputs.session_info(session)
    names = inputs.occupation_names(session)
    return rules.eligible_examiner(member, candidates, info.exam_date, names)


def staffing_check(session: ExamSession) -> list[rules.Finding]:
    """Every staffing rule the session breaks: numbers per room, cards, recusal, double duty, supervisor."""
    assigned = inputs.assignments(session)
    users = [a.user for a in util.session_staff(session)]
    return rules.check(inputs.session_info(session), inputs.exam_rooms(session), assigned,
                       inputs.staff_members(users, session), inputs.ratios(session), inputs.occupation_names(session))  # fmt: skip


def plan_staffing_check(plan: ExamPlan) -> dict[int, list[rules.Finding]]:
    return {s.id: staffing_check(s) for s in plan.sessions}


def auto_assign(plan: ExamPlan, reason: str = "") -> tuple[int, list[str]]:
    """Fill every session's rooms and supervisor from the staff pool, balancing duties across the plan.

    Manual assignments stay and count; returns (assignments added, shortages in Chinese).
    """
    require_change_reason(plan, reason)
    pool = {u.id: u for role in StaffRole for u in inputs.pool(role)}
    load: dict[int, int] = {}
    for row in db.session.scalars(sa.select(StaffAssignment).join(ExamSession).where(ExamSession.plan_id == plan.id)):
        load[row.user_id] = load.get(row.user_id, 0) + 1
    added, shortages = 0, []
    for session in plan.sessions:
        new, short = assign_session(session, pool, load)
        added += new
        shortages += [f"{session.name}：{f.message}" for f in short]
    audit.record("staff.auto_assign", plan, after={"added": added, "shortages": shortages, "reason": reason})
    return added, shortages


def assign_session(session: ExamSession, pool: dict[int, User], load: dict[int, int]) -> tuple[int, list]:
    members = inputs.staff_members(pool.values(), session)
    chosen, short = assign_rules(inputs.session_info(session), inputs.exam_rooms(session), members,
                                 inputs.assignments(session), load, inputs.ratios(session),
                                 inputs.occupation_names(session))  # fmt: skip
    rooms = {r.id: r for r in session.rooms}
    for a in chosen:
        assignment = StaffAssignment(session=session, user=pool[a.staff_id], role=StaffRole(a.role),
                                     room=rooms.get(a.room_id) if a.room_id else None, manual=False)  # fmt: skip
        db.session.add(assignment)
        load[a.staff_id] = load.get(a.staff_id, 0) + 1
    db.session.flush()
    return len(chosen), short


def add_card(user: User, number: str, occupation: Occupation, highest_level: int, issued_on: date,
             valid_until: date | None = None, senior: bool = False) -> ExaminerCard:  # fmt: skip
    """Record an examiner card (考评员证); valid three years from issue unless stated."""
    number = number.strip()
    problems = []
    if not number:
        problems.append(Problem(_("请填写证书编号"), field="number"))
    elif db.session.scalar(sa.select(ExaminerCard.id).where(ExaminerCard.number == number)):
        problems.append(Problem(_("证书编号 %(n)s 已登记", n=number), field="number"))
    if highest_level not in range(1, 6):
        problems.append(Problem(_("等级应为 1–5"), field="highest_level"))
    until = valid_until or _years_later(issued_on, CARD_YEARS)
    if until < issued_on:
        problems.append(Problem(_("有效期早于发证日期"), field="valid_until"))
    if problems:
        raise DomainError(_("考评员证未保存"), problems)
    card = ExaminerCard(user=user, number=number, occupation=occupation, highest_level=highest_level,
                        issued_on=issued_on, valid_until=until, senior=senior)  # fmt: skip
    db.session.add(card)
    audit.record("examiner_card.create", card, after={"user": user.username, "number": number,
                 "occupation": occupation.name, "highest_level": highest_level, "valid_until": until.isoformat()})  # fmt: skip
    return card


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def set_ratio(occupation: Occupation, *, candidates_per_proctor: int, min_proctors: int, candidates_per_examiner: int,
              min_examiners: int, examiners_odd: bool) -> StaffingRatio:  # fmt: skip
    """Store the occupation standard's staffing ratios (the defaults apply to occupations without a row)."""
    values = {"candidates_per_proctor": candidates_per_proctor, "min_proctors": min_proctors,
              "candidates_per_examiner": candidates_per_examiner, "min_examiners": min_examiners}  # fmt: skip
    problems = [Problem(_("须为正整数"), field=k) for k, v in values.items() if v < 1]
    if problems:
        raise DomainError(_("配备比例未保存"), problems)
    ratio = db.session.get(StaffingRatio, occupation.id) or StaffingRatio(occupation=occupation)
    before = {k: getattr(ratio, k) for k in (*values, "examiners_odd")} if ratio.occupation_id else None
    for key, value in values.items():
        setattr(ratio, key, value)
    ratio.examiners_odd = examiners_odd
    db.session.add(ratio)
    audit.record("staffing_ratio.set", object_type="staffing_ratios", object_id=occupation.id, before=before,
                 after={**values, "examiners_odd": examiners_odd, "occupation": occupation.name})  # fmt: skip
    return ratio


def declare_recusal(user: User, person: Person, kind: RecusalKind, reason: str = "") -> Recusal:
    existing = db.session.scalar(sa.select(Recusal).where(Recusal.user_id == user.id, Recusal.person_id == person.id))
    if existing is not None:
        raise DomainError(_("已登记过对 %(name)s 的回避", name=person.name))
    recusal = Recusal(user=user, person=person, kind=kind, reason=reason.strip())
    db.session.add(recusal)
    audit.record("recusal.declare", recusal, after={"user": user.username, "person": person.id, "kind": kind.value})
    return recusal


def record_teaching(user: User, batch: Batch, class_name: str) -> TeachingRecord:
    class_name = class_name.strip()
    if not class_name:
        raise DomainError(_("请填写班级"), [Problem(_("请填写班级"), field="class_name")])
    record = TeachingRecord(user=user, batch=batch, class_name=class_name)
    db.session.add(record)
    audit.record("teaching.record", record, after={"user": user.username, "batch": batch.id, "class": class_name})
    return record


def _describe(assignment: StaffAssignment) -> dict:
    return {
        "session": assignment.session_id,
        "user": assignment.user.username if assignment.user else assignment.user_id,
        "role": assignment.role.value,
        "room": assignment.room.code if assignment.room else None,
        "manual": assignment.manual,
    }
