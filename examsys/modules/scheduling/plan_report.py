"""The batch plan (认定实施计划) as a plain-dict read model, for the PDF and xlsx filed with the province.

Seed 002 (认定流程 4): at least 10 working days before the exam the centre files the plan with the
provincial guidance centre: the schedule (时间安排), the room plan (考场安排), occupations, levels and
head-counts (工种、等级、人数), and the proctors, examiners, supervisors and staff on duty.

:func:`plan_sheet` reads everything in a fixed number of queries (no per-session or per-candidate
round trips: a plan may hold 1,500 candidates and 60 sessions) and returns dicts, lists, strings,
numbers and dates only, never ORM objects. Times are the centre's local time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from examsys.core.calendar import shift_working_days
from examsys.core.db import db
from examsys.core.timezone import local_date, to_local
from examsys.modules.catalog import util as catalog_util
from examsys.modules.catalog.models import LEVEL_NAMES, College, Job
from examsys.modules.people.models import Person
from examsys.modules.registration.models import Application, ApplicationStatus, Batch
from examsys.modules.scheduling.models import (
    ExaminerCard,
    ExamPlan,
    ExamSession,
    Placement,
    Room,
    RoomKind,
    SessionKind,
    StaffAssignment,
    StaffRole,
    plan_batches,
)

__all__ = ["compress_places", "level_title", "plan_sheet"]

# The filed document is read by the provincial centre: its titles are Chinese whatever the UI language.
DOCUMENT_LOCALE = "zh_Hans_CN"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
ROLE_ORDER = (StaffRole.PROCTOR, StaffRole.EXAMINER, StaffRole.SUPERVISOR)
RANGE_DASH = "–"


def level_title(level: int) -> str:
    """``四级/中级工``: the pair certificates and filings print."""
    name, title, _english = LEVEL_NAMES[level]
    return f"{name}/{title}"


def compress_places(order: list[tuple[int, str]], used: Iterable[int]) -> str:
    """The used places of a room as runs over the room's order: ``A01–D10, E02–E09`` or ``001–012``.

    ``order`` lists the room's in-service places (id, label) in seating order; a run breaks only
    where an in-service place is left free (a spare seat), not at an out-of-service one.
    """
    used = set(used)
    runs: list[list[str]] = []
    previous_used = False
    for place_id, label in order:
        if place_id in used:
            if previous_used:
                runs[-1][1] = label
            else:
                runs.append([label, label])
            previous_used = True
        else:
            previous_used = False
    known = {place_id for place_id, _label in order}
    stray = sorted(used - known)  # placed on a place now out of service: still shown, by id
    text = ", ".join(first if first == last else f"{first}{RANGE_DASH}{last}" for first, last in runs)
    if stray:
        text = ", ".join(filter(None, [text, *(f"#{i}" for i in stray)]))
    return text


def plan_sheet(plan: ExamPlan) -> dict:
    """Everything the filed plan shows, as plain data (see the module docstring)."""
    with force_locale(DOCUMENT_LOCALE):
        return _PlanSheet(plan).build()


class _PlanSheet:
    def __init__(self, plan: ExamPlan):
        self.plan = plan

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        plan = self.plan
        self.sessions: list[ExamSession] = list(
            db.session.scalars(
                sa.select(ExamSession)
                .where(ExamSession.plan_id == plan.id)
                .options(
                    selectinload(ExamSession.rooms).selectinload(Room.seats),
                    selectinload(ExamSession.rooms).selectinload(Room.stations),
                )
                .order_by(ExamSession.starts_at, ExamSession.id)
            )
        )
        self.batches: dict[int, Batch] = {
            b.id: b
            for b in db.session.scalars(
                sa.select(Batch)
                .join(plan_batches, plan_batches.c.batch_id == Batch.id)
                .where(plan_batches.c.plan_id == plan.id)
                .options(selectinload(Batch.job).selectinload(Job.occupation), selectinload(Batch.college))
                .order_by(Batch.id)
            )
        }
        session_ids = [s.id for s in self.sessions]
        self.placements = (
            db.session.execute(
                sa.select(
                    Placement.session_id,
                    Placement.room_id,
                    Placement.seat_id,
                    Placement.station_id,
                    Placement.application_id,
                    Application.batch_id,
                    Person.college_id,
                )
                .join(Application, Placement.application_id == Application.id)
                .join(Person, Application.person_id == Person.id)
                .where(Placement.session_id.in_(session_ids))
            ).all()
            if session_ids
            else []
        )
        self.approved = (
            db.session.execute(
                sa.select(Application.batch_id, Person.college_id, sa.func.count(Application.id))
                .join(Person, Application.person_id == Person.id)
                .where(Application.batch_id.in_(list(self.batches)), Application.status == ApplicationStatus.APPROVED)
                .group_by(Application.batch_id, Person.college_id)
            ).all()
            if self.batches
            else []
        )
        self.assignments: list[StaffAssignment] = (
            list(
                db.session.scalars(
                    sa.select(StaffAssignment)
                    .where(StaffAssignment.session_id.in_(session_ids))
                    .options(selectinload(StaffAssignment.user))
                    .order_by(StaffAssignment.id)
                )
            )
            if session_ids
            else []
        )
        self.rooms: dict[int, Room] = {r.id: r for s in self.sessions for r in s.rooms}
        missing = {p.room_id for p in self.placements} | {a.room_id for a in self.assignments if a.room_id}
        missing -= set(self.rooms)
        if missing:  # placed in a room the session no longer lists: still reported
            for room in db.session.scalars(
                sa.select(Room)
                .where(Room.id.in_(missing))
                .options(selectinload(Room.seats), selectinload(Room.stations))
            ):
                self.rooms[room.id] = room
        # Batches of placed applications outside the plan's batch list (should not happen, but show them).
        stray_batches = {p.batch_id for p in self.placements} - set(self.batches)
        if stray_batches:
            for batch in db.session.scalars(
                sa.select(Batch)
                .where(Batch.id.in_(stray_batches))
                .options(selectinload(Batch.job).selectinload(Job.occupation))
            ):
                self.batches[batch.id] = batch
        college_ids = {c for _b, c, _n in self.approved} | {p.college_id for p in self.placements}
        college_ids.discard(None)
        self.colleges: dict[int, str] = (
            dict(db.session.execute(sa.select(College.id, College.name).where(College.id.in_(college_ids))).all())
            if college_ids
            else {}
        )
        examiner_ids = {a.user_id for a in self.assignments if a.role is StaffRole.EXAMINER}
        self.cards: dict[int, list[ExaminerCard]] = defaultdict(list)
        if examiner_ids:
            for card in db.session.scalars(
                sa.select(ExaminerCard)
                .where(ExaminerCard.user_id.in_(examiner_ids))
                .options(selectinload(ExaminerCard.occupation))
                .order_by(ExaminerCard.valid_until.desc(), ExaminerCard.id)
            ):
                self.cards[card.user_id].append(card)

    # -- helpers ----------------------------------------------------------------------------

    def college_name(self, college_id: int | None) -> str:
        return self.colleges.get(college_id, "") if college_id is not None else _("社会人员")

    def group_key(self, batch_id: int) -> tuple:
        batch = self.batches[batch_id]
        occupation = batch.job.occupation
        return (occupation.code, occupation.name, batch.job.name, batch.level)

    @staticmethod
    def group_dict(key: tuple, candidates: int) -> dict:
        code, occupation, job, level = key
        return {
            "occupation_code": code,
            "occupation": occupation,
            "job": job,
            "level": level,
            "level_title": level_title(level),
            "label": f"{occupation}（{job}）{level_title(level)}" if job else f"{occupation} {level_title(level)}",
            "candidates": candidates,
        }

    @staticmethod
    def group_sort(key: tuple) -> tuple:
        code, occupation, job, level = key
        return (code, occupation, job, -level)

    def session_times(self, session: ExamSession) -> dict:
        start, end = to_local(session.starts_at), to_local(session.ends_at)
        day = start.date()
        return {
            "date": day,
            "weekday": WEEKDAYS[day.weekday()],
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M") if end.date() == day else end.strftime("%m-%d %H:%M"),
        }

    def places(self, room: Room) -> tuple[list[tuple[int, str]], int]:
        """The room's in-service places in order, as (id, label), and its capacity."""
        if room.kind is RoomKind.THEORY_LAB:
            order = [(s.id, s.label) for s in sorted(room.seats, key=lambda s: (s.row, s.col)) if s.in_service]
        else:
            order = [(s.id, s.label) for s in sorted(room.stations, key=lambda s: s.label) if s.in_service]
        return order, len(order)

    # -- building ---------------------------------------------------------------------------

    def build(self) -> dict:
        self.load()
        plan = self.plan
        body = catalog_util.certification_body()

        by_session_room: dict[tuple[int, int], list] = defaultdict(list)
        for p in self.placements:
            by_session_room[(p.session_id, p.room_id)].append(p)
        staff_by_session_room: dict[tuple[int, int | None], dict[StaffRole, list[str]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for a in sorted(self.assignments, key=lambda a: (a.user.display_name, a.user_id)):
            staff_by_session_room[(a.session_id, a.room_id)][a.role].append(a.user.display_name)

        schedule, room_plan = [], []
        for session in self.sessions:
            times = self.session_times(session)
            room_ids = [r.id for r in session.rooms]
            room_ids += sorted(
                {rid for (sid, rid) in [*by_session_room, *staff_by_session_room] if sid == session.id and rid}
                - set(room_ids),
                key=lambda rid: self.rooms[rid].code,
            )
            session_groups: Counter = Counter()
            session_candidates = 0
            for room_id in room_ids:
                room = self.rooms[room_id]
                placed = by_session_room.get((session.id, room_id), [])
                order, capacity = self.places(room)
                used = [p.seat_id if room.kind is RoomKind.THEORY_LAB else p.station_id for p in placed]
                used = [u for u in used if u is not None]
                groups = Counter(self.group_key(p.batch_id) for p in placed)
                session_groups.update(groups)
                session_candidates += len(placed)
                staff = staff_by_session_room.get((session.id, room_id), {})
                room_plan.append(
                    {
                        "session_id": session.id,
                        "session_name": session.name,
                        "kind": session.kind.value,
                        "kind_title": session.kind.title,
                        **times,
                        "room_code": room.code,
                        "room_name": room.name,
                        "building": room.building,
                        "room_kind_title": room.kind.title,
                        "capacity": capacity,
                        "candidates": len(placed),
                        "places": compress_places(order, used),
                        "spare": max(capacity - len(placed), 0),
                        "groups": [
                            self.group_dict(k, n)
                            for k, n in sorted(groups.items(), key=lambda kv: self.group_sort(kv[0]))
                        ],
                        "proctors": list(staff.get(StaffRole.PROCTOR, [])),
                        "examiners": list(staff.get(StaffRole.EXAMINER, [])),
                    }
                )
            schedule.append(
                {
                    "session_id": session.id,
                    "name": session.name,
                    "kind": session.kind.value,
                    "kind_title": session.kind.title,
                    **times,
                    "duration_minutes": session.duration_minutes,
                    "rooms": [self.rooms[rid].code for rid in room_ids],
                    "groups": [
                        self.group_dict(k, n)
                        for k, n in sorted(session_groups.items(), key=lambda kv: self.group_sort(kv[0]))
                    ],
                    "candidates": session_candidates,
                    "supervisors": list(
                        staff_by_session_room.get((session.id, None), {}).get(StaffRole.SUPERVISOR, [])
                    ),
                }
            )

        headcount = self.headcount()
        staff = self.staff_list()
        filing = self.filing()
        kinds = {s.id: s.kind for s in self.sessions}
        placed_theory = {p.application_id for p in self.placements if kinds[p.session_id] is SessionKind.THEORY}
        placed_practical = {p.application_id for p in self.placements if kinds[p.session_id] is SessionKind.PRACTICAL}
        roles = Counter(role for person in staff for role in person["role_keys"])
        totals = {
            "sessions": len(self.sessions),
            "theory_sessions": sum(1 for s in self.sessions if s.kind is SessionKind.THEORY),
            "practical_sessions": sum(1 for s in self.sessions if s.kind is SessionKind.PRACTICAL),
            "rooms": len({r["room_code"] for r in room_plan}),
            "room_sessions": len(room_plan),
            "capacity": sum(r["capacity"] for r in room_plan),
            "placements": len(self.placements),
            "spare": sum(r["spare"] for r in room_plan),
            "approved": sum(n for _b, _c, n in self.approved),
            "placed_theory": len(placed_theory),
            "placed_practical": len(placed_practical),
            "occupations": len({(r["occupation_code"], r["occupation"]) for r in headcount}),
            "groups": len({(r["occupation_code"], r["occupation"], r["job"], r["level"]) for r in headcount}),
            "staff": len(staff),
            "proctors": roles[StaffRole.PROCTOR.value],
            "examiners": roles[StaffRole.EXAMINER.value],
            "supervisors": roles[StaffRole.SUPERVISOR.value],
        }
        return {
            "centre_name": (body.centre_name or body.name) if body else "",
            "school_name": body.name if body else "",
            "centre_address": body.address if body else "",
            "centre_phone": body.phone if body else "",
            "plan_id": plan.id,
            "plan_name": plan.name,
            "status": plan.status.value,
            "status_title": plan.status.title,
            "note": plan.note,
            "spare_seats_per_lab": plan.spare_seats_per_lab,
            "form_count": plan.form_count,
            "batches": [
                {
                    "name": b.name,
                    "occupation": b.job.occupation.name,
                    "job": b.job.name,
                    "level_title": level_title(b.level),
                    "path_title": b.path.title,
                }
                for b in self.batches.values()
            ],
            "filing": filing,
            "schedule": schedule,
            "room_plan": room_plan,
            "headcount": headcount,
            "staff": staff,
            "totals": totals,
        }

    def filing(self) -> dict:
        plan = self.plan
        dates = [local_date(s.starts_at) for s in self.sessions]
        first: date | None = min(dates, default=None)
        last: date | None = max(dates, default=None)
        deadline, provisional = None, False
        if first is not None:
            answer = shift_working_days(first, -plan.lead_working_days)
            deadline, provisional = answer.day, answer.provisional
        late = None
        if deadline is not None and plan.filed_on is not None:
            late = plan.filed_on > deadline
        return {
            "first_date": first,
            "last_date": last,
            "lead_working_days": plan.lead_working_days,
            "deadline": deadline,
            "deadline_provisional": provisional,
            "filed_on": plan.filed_on,
            "filed_late": late,
            "late_override_reason": plan.late_override_reason,
            "approved_on": plan.approved_on,
            "approval_ref": plan.approval_ref,
        }

    def headcount(self) -> list[dict]:
        """One row per occupation, job, level and candidates' college: approved, placed theory and practical."""
        approved: Counter = Counter()
        for batch_id, college_id, n in self.approved:
            approved[(self.group_key(batch_id), college_id)] += n
        kinds = {s.id: s.kind for s in self.sessions}
        placed: dict[SessionKind, dict[tuple, set[int]]] = {k: defaultdict(set) for k in SessionKind}
        for p in self.placements:
            placed[kinds[p.session_id]][(self.group_key(p.batch_id), p.college_id)].add(p.application_id)
        keys = set(approved) | set(placed[SessionKind.THEORY]) | set(placed[SessionKind.PRACTICAL])

        def sort(key):
            group, college_id = key
            return (*self.group_sort(group), college_id is None, self.college_name(college_id))

        rows = []
        for key in sorted(keys, key=sort):
            group, college_id = key
            row = self.group_dict(group, approved[key])
            row.pop("candidates")
            row.update(
                college=self.college_name(college_id),
                approved=approved[key],
                placed_theory=len(placed[SessionKind.THEORY].get(key, ())),
                placed_practical=len(placed[SessionKind.PRACTICAL].get(key, ())),
            )
            rows.append(row)
        return rows

    def staff_list(self) -> list[dict]:
        """Every person on duty once: roles, each duty (session, time, room), examiner cards."""
        sessions = {s.id: s for s in self.sessions}
        people: dict[int, dict] = {}
        for a in self.assignments:
            session = sessions[a.session_id]
            times = self.session_times(session)
            entry = people.setdefault(
                a.user_id, {"name": a.user.display_name, "username": a.user.username, "roles": set(), "duties": []}
            )
            entry["roles"].add(a.role)
            room = self.rooms[a.room_id] if a.room_id is not None else None
            entry["duties"].append(
                {
                    "session_id": session.id,
                    "session_name": session.name,
                    "role_title": a.role.title,
                    "starts_at": session.starts_at,
                    **times,
                    "room_code": room.code if room else "",
                    "room_name": room.name if room else "",
                }
            )
        rows = []
        for user_id, entry in people.items():
            roles = [r for r in ROLE_ORDER if r in entry["roles"]]
            duties = sorted(entry["duties"], key=lambda d: (d["starts_at"], d["session_id"]))
            for duty in duties:
                del duty["starts_at"]
            dates = [d["date"] for d in duties]
            cards = []
            if StaffRole.EXAMINER in roles:
                for card in self.cards.get(user_id, []):
                    valid = bool(dates) and card.issued_on <= min(dates) and max(dates) <= card.valid_until
                    cards.append(
                        {
                            "number": card.number,
                            "occupation": card.occupation.name,
                            "highest_level_title": level_title(card.highest_level),
                            "senior": card.senior,
                            "issued_on": card.issued_on,
                            "valid_until": card.valid_until,
                            "valid": valid,
                        }
                    )
            rows.append(
                {
                    "name": entry["name"],
                    "username": entry["username"],
                    "role_keys": [r.value for r in roles],
                    "roles": [r.title for r in roles],
                    "role_title": "、".join(r.title for r in roles),
                    "duties": duties,
                    "duty_text": "；".join(
                        f"{d['date']:%m-%d} {d['start']} {d['session_name']}"
                        + (f" {d['room_code']}" if d["room_code"] else f" {_('全场')}")
                        for d in duties
                    ),
                    "cards": cards,
                }
            )
        rows.sort(key=lambda r: (ROLE_ORDER.index(StaffRole(r["role_keys"][0])), r["name"], r["username"]))
        return rows
