"""Automatic staff assignment for one session, under the rules of :mod:`staffing_rules`.

A pure function: :func:`assign` gets the session, its rooms with their candidates, the staff pool,
the assignments that already exist and each person's number of assignments so far in the plan,
and returns the assignments it adds and the shortages it could not fill.

Rules
-----
Kept as they are
    ``existing`` assignments (manual ones, or automatic ones the caller keeps) are never changed
    and count toward the requirements; nobody in them is placed again in this session.
Targets
    Proctors: the room's requirement (:func:`staffing_rules.room_required`). Examiners: the larger
    of the requirement and the examiners already there, raised to the next odd number when the
    ratio wants odd (4 existing examiners for a requirement of 3 -> one more). When the pool
    cannot reach the target, an even number of examiners is brought down to the odd number below
    by not adding the last one (existing assignments are never removed). Supervisors: one per
    session unless there is one already.
Who may be placed
    A staff member holding the role (``StaffMember.roles``), not yet placed in this session, with
    no other duty overlapping the session; an examiner must also pass
    :func:`staffing_rules.eligible_examiner` for every candidate of the venue (cards, recusal).
Order and preference
    Examiner venues first (cards and recusal make examiners the scarcest), the venue with the
    fewest usable examiners first, then the supervisor, then proctors in the order the rooms are
    given. For each place: the fewest assignments so far in the plan (``load`` plus this run), then,
    for examiners, the fewest other venues still waiting that could use the person, then the
    fewest roles held (keep versatile people for later places), then the lowest id. Deterministic.
Shortages
    One :class:`staffing_rules.Finding` (severity error) per room or session not filled, with the
    numbers and why the rest of the pool could not be used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from examsys.modules.scheduling.staffing_rules import (
    ERROR,
    EXAMINER,
    PROCTOR,
    ROLE_TITLES,
    SUPERVISOR,
    Assignment,
    ExamRoom,
    Finding,
    Ratio,
    SessionInfo,
    StaffMember,
    clashes,
    examiner_problems,
    room_ratio,
    room_required,
    room_role,
)


class _Member:
    """A pool member with the facts the ordering needs."""

    __slots__ = ("clash", "id", "roles", "staff")

    def __init__(self, staff: StaffMember, session: SessionInfo) -> None:
        self.staff, self.id, self.roles = staff, staff.id, staff.roles
        self.clash = bool(clashes(staff, session))


def _why_short(role: str, staff: Sequence[_Member], free: Mapping[int, _Member], unfit: set[int]) -> str:
    """Why the rest of the pool holding ``role`` could not be used here, e.g. "（2 人时间冲突）"."""
    holders = [s for s in staff if role in s.roles]
    parts = []
    if n := sum(1 for s in holders if s.id in unfit and s.id in free):
        parts.append(f"{n} 人证书不符或须回避")
    if n := sum(1 for s in holders if s.id not in free and s.clash):
        parts.append(f"{n} 人时间冲突")
    if n := sum(1 for s in holders if s.id not in free and not s.clash):
        parts.append(f"{n} 人已在本场其他岗位")
    return (
        f"（{ROLE_TITLES[role]}共 {len(holders)} 人：{'，'.join(parts)}）"
        if parts
        else f"（没有可用的{ROLE_TITLES[role]}）"
    )


def assign(
    session: SessionInfo,
    rooms: Sequence[ExamRoom],
    staff_pool: Iterable[StaffMember],
    existing: Sequence[Assignment] = (),
    load: Mapping[int, int] | None = None,
    ratios: Mapping[int, Ratio] | None = None,
    occupation_names: Mapping[int, str] | None = None,
) -> tuple[list[Assignment], list[Finding]]:
    """Fill every room and the supervisor of ``session``; return (added assignments, shortages)."""
    pool = [_Member(s, session) for s in sorted(staff_pool, key=lambda s: s.id)]
    placed = {a.staff_id for a in existing}
    free = {m.id: m for m in pool if m.id not in placed and not m.clash}
    load = Counter(load or {})
    added: list[Assignment] = []
    shortages: list[Finding] = []

    def take(member: _Member, role: str, room_id: int | None) -> None:
        added.append(Assignment(member.id, role, room_id, manual=False))
        del free[member.id]
        load[member.id] += 1

    def have(room: ExamRoom, role: str) -> int:
        return sum(1 for a in existing if a.room_id == room.id and a.role == role)

    venues = [r for r in rooms if room_role(r) == EXAMINER and r.candidates]
    fit = {
        r.id: {
            m.id
            for m in pool
            if EXAMINER in m.roles and not examiner_problems(m.staff, r.candidates, session.exam_date, occupation_names)
        }
        for r in venues
    }
    order = {r.id: i for i, r in enumerate(rooms)}
    waiting = {r.id for r in venues}
    for room in sorted(venues, key=lambda r: (len(fit[r.id] & free.keys()), order[r.id])):
        waiting.discard(room.id)
        ratio, there = room_ratio(room, ratios), have(room, EXAMINER)
        target = max(room_required(room, ratios), there)
        if ratio.examiners_odd and target % 2 == 0:
            target += 1
        usable = sorted(
            (free[i] for i in fit[room.id] if i in free),
            key=lambda m: (load[m.id], sum(m.id in fit[v] for v in waiting), len(m.roles), m.id),
        )
        chosen = usable[: max(target - there, 0)]
        if chosen and there + len(chosen) < target and ratio.examiners_odd and (there + len(chosen)) % 2 == 0:
            chosen.pop()
        for m in chosen:
            take(m, EXAMINER, room.id)
        if (now := there + len(chosen)) < target:
            why = _why_short(EXAMINER, pool, free, {m.id for m in pool} - fit[room.id])
            n = len(room.candidates)
            code = "examiner_shortage" if now < room_required(room, ratios) else "examiner_even"
            shortages.append(
                Finding(
                    ERROR,
                    room.id,
                    code,
                    f"{room.name}：考生 {n} 人，需考评员 {target} 人，现有 {now} 人，还缺 {target - now} 人{why}",
                )
            )

    if not any(a.role == SUPERVISOR for a in existing):
        usable = sorted(
            (m for m in free.values() if SUPERVISOR in m.roles), key=lambda m: (load[m.id], len(m.roles), m.id)
        )
        if usable:
            take(usable[0], SUPERVISOR, None)
        else:
            title = f"本场（{session.name}）" if session.name else "本场"
            why = _why_short(SUPERVISOR, pool, free, set())
            shortages.append(Finding(ERROR, None, "no_supervisor", f"{title}没有可安排的督导员{why}"))

    for room in rooms:
        if room_role(room) != PROCTOR or not room.candidates:
            continue
        there, need = have(room, PROCTOR), room_required(room, ratios)
        usable = sorted(
            (m for m in free.values() if PROCTOR in m.roles), key=lambda m: (load[m.id], len(m.roles), m.id)
        )
        for m in usable[: max(need - there, 0)]:
            take(m, PROCTOR, room.id)
        if (now := there + min(len(usable), max(need - there, 0))) < need:
            why = _why_short(PROCTOR, pool, free, set())
            n = len(room.candidates)
            message = f"{room.name}：考生 {n} 人，需监考员 {need} 人，现有 {now} 人，还缺 {need - now} 人{why}"
            shortages.append(Finding(ERROR, room.id, "proctor_shortage", message))
    return added, shortages
