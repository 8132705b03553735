"""Theory seating: run the allocator over a plan's sittings and labs, store it, move people by hand.

The algorithm is :mod:`examsys.modules.scheduling.allocation` (pure); this module turns the
plan's approved applications, theory sessions and labs into its inputs, keeps every placement
that is still valid on a re-run (so a few late additions move nobody), writes the difference,
and audits it. Manual moves go through the allocator's own move check, plus the rule that a
person is never in two overlapping sessions.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.calendar import is_working_day
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.core.timezone import from_local
from examsys.modules.registration.models import Application
from examsys.modules.scheduling import allocation as alloc
from examsys.modules.scheduling import util
from examsys.modules.scheduling.models import ExamPlan, ExamSession, Placement, Room, RoomKind, Seat, SessionKind
from examsys.modules.scheduling.placement_store import Spot, store_placements
from examsys.modules.scheduling.plans import require_change_reason
from examsys.modules.scheduling.sessions import SessionData, create_session


@dataclass
class SeatingReport:
    placed: int = 0
    kept: int = 0
    new: int = 0
    removed: int = 0
    moved: list[str] = field(default_factory=list)  # names whose seat had to change
    unplaced: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    capacity_per_sitting: int = 0
    sittings_needed: int = 0  # more sittings of this size needed for the unplaced

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def theory_sessions(plan: ExamPlan) -> list[ExamSession]:
    return [s for s in plan.sessions if s.kind is SessionKind.THEORY]


def _inputs(plan: ExamPlan):
    sessions = theory_sessions(plan)
    labs = {r.id: r for s in sessions for r in s.rooms if r.kind is RoomKind.THEORY_LAB}
    sittings = [alloc.Sitting(s.id, i, frozenset(r.id for r in s.rooms)) for i, s in enumerate(sessions, start=1)]
    return sessions, [util.lab_spec(labs[k]) for k in sorted(labs)], sittings


def _as_previous(rows: list[Placement]) -> dict[int, alloc.Placement]:
    return {p.application_id: alloc.Placement(p.session_id, p.room_id, p.seat_id, p.form) for p in rows if p.seat_id}


def current_allocation(plan: ExamPlan) -> tuple[alloc.Allocation, list[alloc.Lab], list[alloc.Sitting]]:
    """The stored theory placements as an allocator ``Allocation`` (for move checks and warnings)."""
    _, labs, sittings = _inputs(plan)
    apps = util.approved_applications(plan)
    rows = util.plan_placements(plan, SessionKind.THEORY)
    placed = _as_previous(rows)
    allocation = alloc.Allocation(
        placements=dict(sorted(placed.items())),
        unplaced=[a.id for a in apps if a.id not in placed],
        warnings=[],
        class_keys={a.id: util.class_key(a.person) for a in apps} | {p.application_id: util.class_key(p.application.person) for p in rows},
        sitting_orders={s.id: s.order for s in sittings},
        settings=util.settings_for(plan),
        names={a.id: a.person.name for a in apps} | {p.application_id: p.application.person.name for p in rows},
    )  # fmt: skip
    allocation.warnings = alloc.recheck(allocation, labs)
    return allocation, labs, sittings


def allocate_theory(plan: ExamPlan, reason: str = "") -> SeatingReport:
    """Seat every approved candidate of the plan in its theory sittings; keep valid earlier seats."""
    require_change_reason(plan, reason)
    sessions, labs, sittings = _inputs(plan)
    if not sessions:
        raise DomainError(_("计划还没有理论场次"), [Problem(_("请先添加理论场次"), field="sessions")])
    apps = util.approved_applications(plan)
    existing = {p.application_id: p for p in util.plan_placements(plan, SessionKind.THEORY)}
    candidates = [alloc.Candidate(a.id, util.class_key(a.person), a.batch_id, a.person.name) for a in apps]
    result = alloc.allocate(
        candidates, labs, sittings, util.settings_for(plan), previous=_as_previous(list(existing.values()))
    )
    _separate_same_person(result, apps, labs, sittings)
    report = _store(result, existing, {a.id: a for a in apps})
    report.capacity_per_sitting = sum(
        max(0, sum(1 for s in lab.seats if s.in_service) - plan.spare_seats_per_lab) for lab in labs
    )  # approximate: assumes every lab in every sitting
    if report.unplaced and report.capacity_per_sitting:
        report.sittings_needed = math.ceil(len(report.unplaced) / report.capacity_per_sitting)
    audit.record("seating.allocate", plan, after={**report.as_dict(), "reason": reason})
    return report


def _separate_same_person(result: alloc.Allocation, apps: list[Application], labs, sittings) -> None:
    """A person with two applications in the plan must not sit two overlapping sittings: move the later one."""
    by_person: dict[int, list[int]] = defaultdict(list)
    for a in apps:
        by_person[a.person_id].append(a.id)
    session_of = {
        s.id: s for s in db.session.scalars(sa.select(ExamSession).where(ExamSession.id.in_([s.id for s in sittings])))
    }
    for app_ids in by_person.values():
        placed = [i for i in app_ids if i in result.placements]
        for first, second in itertools.pairwise(placed):
            a, b = session_of[result.placements[first].sitting_id], session_of[result.placements[second].sitting_id]
            if a.overlaps(b):
                _move_elsewhere(result, second, a, labs, sittings, session_of)


def _move_elsewhere(result, app_id, clash: ExamSession, labs, sittings, session_of) -> None:
    plans = alloc.seats._plans(labs, result.settings)
    for sitting in sorted(sittings, key=lambda s: s.order):
        if session_of[sitting.id].overlaps(clash):
            continue
        for plan in plans.values():
            if sitting.lab_ids is not None and plan.lab.id not in sitting.lab_ids:
                continue
            taken = {
                p.seat_id for p in result.placements.values() if p.sitting_id == sitting.id and p.lab_id == plan.lab.id
            }
            for seat_id in plan.usable_free:
                if seat_id not in taken:
                    form = plan.seat_form[seat_id]
                    result.placements[app_id] = alloc.Placement(sitting.id, plan.lab.id, seat_id, form)
                    return
    del result.placements[app_id]
    result.unplaced.append(app_id)
    result.warnings.append(_("考生 %(name)s 报了两个职业，其他场次已无空位，未能安排", name=result.who(app_id)))


def _store(result: alloc.Allocation, existing: dict[int, Placement], apps: dict[int, Application]) -> SeatingReport:
    wanted = {
        app_id: Spot(p.sitting_id, p.lab_id, seat_id=p.seat_id, form=p.form) for app_id, p in result.placements.items()
    }
    stored = store_placements(existing, wanted)
    return SeatingReport(
        placed=len(result.placements), kept=stored.kept, new=stored.new, removed=stored.removed, moved=stored.moved,
        unplaced=[apps[i].person.name for i in result.unplaced if i in apps], warnings=list(result.warnings),
    )  # fmt: skip


def move_to_seat(placement: Placement, session: ExamSession, seat: Seat, reason: str = "") -> list[str]:
    """Move a placed candidate to ``seat`` in ``session``; refusals raise, soft warnings are returned."""
    plan = placement.session.plan
    require_change_reason(plan, reason)
    if session.plan_id != plan.id or session.kind is not SessionKind.THEORY:
        raise DomainError(_("只能移到本计划的理论场次"))
    warnings = _check_target(plan, placement.application, session, seat)
    before = _describe(placement)
    placement.session_id, placement.room_id, placement.seat_id = session.id, seat.room_id, seat.id
    placement.form = alloc.form_for(seat.row, seat.col, plan.forms)
    placement.manual = True
    db.session.flush()
    db.session.refresh(placement)
    audit.record("placement.move", placement, before=before, after={**_describe(placement), "reason": reason})
    return warnings


def place_manually(application: Application, session: ExamSession, seat: Seat, reason: str = "") -> Placement:
    """Seat a candidate the allocator left out (e.g. a late approval) on a chosen seat."""
    plan = session.plan
    require_change_reason(plan, reason)
    if application.batch not in plan.batches:
        raise DomainError(_("该考生的批次不在本计划中"))
    _check_target(plan, application, session, seat)
    placement = Placement(session_id=session.id, application_id=application.id, room_id=seat.room_id,
                          seat_id=seat.id, form=alloc.form_for(seat.row, seat.col, plan.forms), manual=True)  # fmt: skip
    db.session.add(placement)
    db.session.flush()
    audit.record("placement.create", placement, after={**_describe(placement), "reason": reason})
    return placement


def remove_placement(placement: Placement, reason: str = "") -> None:
    require_change_reason(placement.session.plan, reason)
    audit.record("placement.delete", placement, before=_describe(placement), after={"reason": reason})
    db.session.delete(placement)
    db.session.flush()


def _check_target(plan: ExamPlan, application: Application, session: ExamSession, seat: Seat) -> list[str]:
    allocation, labs, sittings = current_allocation(plan)
    if seat.room_id not in {r.id for r in session.rooms}:
        raise DomainError(
            _("%(room)s 不在该场次的考场中", room=seat.room.name), [Problem(_("考场不在该场次"), field="seat")]
        )
    allocation.names.setdefault(application.id, application.person.name)
    allocation.class_keys.setdefault(application.id, util.class_key(application.person))
    if application.id not in allocation.placements and application.id not in allocation.unplaced:
        allocation.unplaced.append(application.id)
    refusals, soft = alloc.move_problems(
        allocation, application.id, (session.id, seat.room_id, seat.id), labs, sittings
    )
    busy = util.people_busy([application.person_id], exclude_sessions=[session.id]).get(application.person_id, [])
    for clash in util.clashes(busy, session.starts_at, session.ends_at):
        refusals.append(_("考生 %(name)s 在该时段已安排“%(other)s”", name=application.person.name, other=clash.label))
    if refusals:
        raise DomainError(_("不能调整到该座位"), [Problem(r, field="seat") for r in refusals])
    return soft


def _describe(placement: Placement) -> dict:
    return {
        "application": placement.application_id,
        "session": placement.session_id,
        "room": placement.room.code if placement.room else placement.room_id,
        "seat": placement.seat.label if placement.seat else None,
        "form": placement.form,
    }


def plan_sittings(plan: ExamPlan, first_day: date, start_times: list[time], duration_minutes: int,
                  rooms: list[Room], reason: str = "", max_days: int = 30) -> list[ExamSession]:  # fmt: skip
    """Create as many theory sittings as the plan's unseated candidates need, on working days from ``first_day``."""
    if not start_times:
        raise DomainError(_("请至少填写一个开考时间"), [Problem(_("请至少填写一个开考时间"), field="start_times")])
    capacity = sum(max(0, r.capacity - plan.spare_seats_per_lab) for r in rooms if r.kind is RoomKind.THEORY_LAB)
    if not capacity:
        raise DomainError(_("所选机房没有可用座位"), [Problem(_("所选机房没有可用座位"), field="rooms")])
    seated = {p.application_id for p in util.plan_placements(plan, SessionKind.THEORY)}
    waiting = sum(1 for a in util.approved_applications(plan) if a.id not in seated)
    needed = math.ceil(waiting / capacity)
    created: list[ExamSession] = []
    day, number = first_day, len(theory_sessions(plan))
    while len(created) < needed:
        if (day - first_day).days > max_days:
            raise DomainError(_("%(days)s 天内排不下所需的 %(n)s 场", days=max_days, n=needed))
        if is_working_day(day)[0] or day == first_day:
            for start in sorted(start_times):
                if len(created) == needed:
                    break
                number += 1
                starts_at = from_local(datetime.combine(day, start))
                data = SessionData(
                    SessionKind.THEORY, _("第%(n)s场理论考试", n=number), starts_at, duration_minutes, rooms
                )
                created.append(create_session(plan, data, reason))
        day += timedelta(days=1)
    return created
