"""Practical seating: candidates to stations in the plan's practical slots, stored and audited.

The algorithm is :mod:`examsys.modules.scheduling.practical` (pure). A candidate goes only to a
venue serving their occupation (``Room.occupations``), at an in-service station, in a slot that
does not overlap their theory sitting or any other session they are placed in. Re-runs keep
every placement that is still valid; manual moves pass the same checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _

from examsys.core import audit
from examsys.core.db import db
from examsys.core.errors import DomainError, Problem
from examsys.modules.registration.models import Application
from examsys.modules.scheduling import practical as pr
from examsys.modules.scheduling import util
from examsys.modules.scheduling.models import ExamPlan, ExamSession, Placement, SessionKind, Station
from examsys.modules.scheduling.placement_store import Spot, store_placements
from examsys.modules.scheduling.plans import require_change_reason


@dataclass
class PracticalReport:
    placed: int = 0
    kept: int = 0
    new: int = 0
    removed: int = 0
    moved: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # "name：reason"
    shortages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def practical_sessions(plan: ExamPlan) -> list[ExamSession]:
    return [s for s in plan.sessions if s.kind is SessionKind.PRACTICAL]


def _inputs(plan: ExamPlan, apps: list[Application], existing: dict[int, Placement]) -> pr.PracticalInputs:
    slots = practical_sessions(plan)
    venues = {r.id: r for s in slots for r in s.rooms}
    busy = util.people_busy([a.person_id for a in apps], exclude_sessions=[s.id for s in slots])
    occupations = {a.batch.job.occupation for a in apps}
    return pr.PracticalInputs(
        candidates=[
            pr.PracticalCandidate(a.id, a.batch.job.occupation_id, util.class_key(a.person),
                                  tuple((b.start, b.end) for b in busy.get(a.person_id, [])))
            for a in apps
        ],
        venues=[
            pr.Venue(v.id, frozenset(o.id for o in v.occupations),
                     tuple(pr.Station(s.id, s.label, s.station_type, s.in_service) for s in v.stations),
                     name=f"{v.code} {v.name}")
            for v in sorted(venues.values(), key=lambda r: r.code)
        ],
        slots=[pr.Slot(s.id, s.starts_at, s.ends_at, tuple(r.id for r in s.rooms)) for s in slots],
        occupations=[pr.OccupationSpec(o.id, o.name) for o in sorted(occupations, key=lambda o: o.id)],
        previous={app_id: (p.session_id, p.room_id, p.station_id) for app_id, p in existing.items() if p.station_id},
    )  # fmt: skip


def _existing(plan: ExamPlan) -> dict[int, Placement]:
    return {p.application_id: p for p in util.plan_placements(plan, SessionKind.PRACTICAL)}


def allocate_practical(plan: ExamPlan, reason: str = "") -> PracticalReport:
    """Place every approved candidate of the plan at a station in its practical slots."""
    require_change_reason(plan, reason)
    if not practical_sessions(plan):
        raise DomainError(_("计划还没有技能操作场次"), [Problem(_("请先添加技能操作场次"), field="sessions")])
    apps = util.approved_applications(plan)
    by_id = {a.id: a for a in apps}
    existing = _existing(plan)
    result = pr.allocate_practical(_inputs(plan, apps, existing))
    wanted = {app_id: Spot(p.slot_id, p.venue_id, station_id=p.station_id) for app_id, p in result.placements.items()}
    stored = store_placements(existing, wanted)
    report = PracticalReport(
        placed=len(result.placements), kept=stored.kept, new=stored.new, removed=stored.removed, moved=stored.moved,
        unplaced=[f"{by_id[i].person.name}：{why}" for i, why in result.unplaced.items() if i in by_id],
        shortages=[s.message for s in result.shortages],
    )  # fmt: skip
    audit.record("seating.allocate_practical", plan, after={**report.as_dict(), "reason": reason})
    return report


def move_to_station(placement: Placement, session: ExamSession, station: Station, reason: str = "") -> None:
    """Move a practical placement to another station or slot, with the allocator's own checks."""
    plan = placement.session.plan
    require_change_reason(plan, reason)
    if session.plan_id != plan.id or session.kind is not SessionKind.PRACTICAL or placement.station_id is None:
        raise DomainError(_("只能在本计划的技能操作场次之间调整工位"))
    apps = util.approved_applications(plan)
    existing = _existing(plan)
    inputs = _inputs(plan, apps, existing)
    current = pr.PracticalAllocation(
        {a: pr.StationPlacement(p.session_id, p.room_id, p.station_id) for a, p in existing.items()}, {}, []
    )
    refusals = pr.check_move(current, inputs, placement.application_id, session.id, station.id)
    if refusals:
        names = {a.id: a.person.name for a in apps}
        refusals = [_name(r, names) for r in refusals]
        raise DomainError(_("不能调整到该工位"), [Problem(r, field="station") for r in refusals])
    before = {"session": placement.session_id, "station": placement.station.label if placement.station else None}
    placement.session_id, placement.room_id, placement.station_id = session.id, station.room_id, station.id
    placement.manual = True
    db.session.flush()
    audit.record("placement.move", placement, before=before,
                 after={"session": session.id, "station": station.label, "reason": reason})  # fmt: skip


def _name(message: str, names: dict[int, str]) -> str:
    """The pure module names candidates by id ("考生 12"); show their names."""
    return re.sub(r"考生 (\d+)", lambda m: f"考生 {names.get(int(m[1]), m[1])}", message)
