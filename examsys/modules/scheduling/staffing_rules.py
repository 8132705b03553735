"""Staffing rules for exam sessions: how many proctors, examiners and supervisors, and who may serve.

A pure module: callers turn a session, its rooms (with the candidates seated there), the staff
assignments and the staff members' cards, recusals, teaching records and other duties into the
dataclasses below, and get back :class:`Finding` rows (:func:`check`) or reasons
(:func:`eligible_examiner`). :mod:`examsys.modules.scheduling.staffing_assign` fills a session.

Rules
-----
Numbers (per occupation standard; :class:`Ratio` holds the defaults)
    Theory room (``kind == "theory_lab"``): proctors (监考员) >= ceil(candidates / 15) and >= 2.
    Practical or outdoor venue: examiners (考评员) >= ceil(candidates / 5) and >= 3, and an odd
    number (the next odd number above an even requirement: 16 candidates -> 4 -> 5).
    A room with no candidates needs nobody. Every session needs a supervisor (督导员).
    A room holding candidates of several occupations uses the strictest ratio among them, field by
    field (:func:`strictest`): the fewest candidates per proctor or examiner, the highest
    minimums, odd if any of them wants odd.
    Staff are counted by role in rooms of the matching kind (a proctor in a practical venue counts
    for nothing and is reported); everyone assigned counts, even if another rule is broken.
Examiner cards (考评员证)
    An examiner needs, for every occupation in the venue, a card of that occupation valid on the
    exam date (``issued_on <= date <= valid_until``, both ends inclusive; without ``valid_until`` a
    card lasts three years: until the day before the third anniversary of ``issued_on``) whose
    ``highest_level`` covers the highest level examined there: levels are numbered 1 (一级, the
    highest) to 5 (五级), and a card with highest level 3 covers levels 3, 4 and 5.
Recusal (回避; examiners only)
    An examiner never marks a candidate they declared a conflict of interest with (利害关系) or a
    relative (亲属关系) of (person ids), nor a student of a class they taught in that batch
    (``(batch_id, class_name)`` pairs).
One place at a time
    A staff member has one place per session (one room, or the session as supervisor) and no other
    duty (``StaffMember.busy``) overlapping the session; intervals that only touch do not overlap.
Findings
    ``severity`` is ``"error"`` for a broken rule and ``"warning"`` for a doubtful assignment (a
    role in a room of the wrong kind, a role the person does not hold). Codes: ``proctor_shortage``,
    ``examiner_shortage``, ``examiner_even``, ``no_supervisor``, ``card_missing``, ``card_expired``,
    ``card_not_yet_valid``, ``card_level``, ``recusal_conflict``, ``recusal_relative``,
    ``recusal_taught``, ``double_booked``, ``unknown_staff``, ``unknown_room``, ``wrong_room``,
    ``role_not_held``. ``examiner_even`` is only reported when there are enough examiners (a
    shortage already names the number needed, which is odd).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

THEORY = "theory_lab"  # RoomKind.THEORY_LAB; every other kind is a venue with examiners
PROCTOR, EXAMINER, SUPERVISOR = "proctor", "examiner", "supervisor"  # StaffRole values
ROLE_TITLES = {PROCTOR: "监考员", EXAMINER: "考评员", SUPERVISOR: "督导员"}
LEVEL_TITLES = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
ERROR, WARNING = "error", "warning"


@dataclass(frozen=True, slots=True)
class Ratio:
    candidates_per_proctor: int = 15
    min_proctors: int = 2
    candidates_per_examiner: int = 5
    min_examiners: int = 3
    examiners_odd: bool = True


@dataclass(frozen=True, slots=True)
class Card:
    occupation_id: int
    highest_level: int  # 1 = 一级 (highest) .. 5 = 五级; covers this level and the ones below it
    issued_on: date
    valid_until: date | None = None  # None: three years (see the module docstring)
    number: str = ""

    @property
    def expires_on(self) -> date:
        if self.valid_until is not None:
            return self.valid_until
        try:
            anniversary = self.issued_on.replace(year=self.issued_on.year + 3)
        except ValueError:  # issued on 29 February
            anniversary = date(self.issued_on.year + 3, 3, 1)
        return anniversary - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Commitment:
    """Another duty of a staff member (another session, a room elsewhere)."""

    start: datetime
    end: datetime
    label: str = ""


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    roles: frozenset[str] = frozenset({PROCTOR, EXAMINER, SUPERVISOR})
    cards: tuple[Card, ...] = ()
    conflicts: frozenset[int] = frozenset()  # person ids with a declared conflict of interest
    relatives: frozenset[int] = frozenset()  # person ids of relatives
    taught: frozenset[tuple[int, str]] = frozenset()  # (batch_id, class_name) they trained
    busy: tuple[Commitment, ...] = ()


@dataclass(frozen=True, slots=True)
class RoomCandidate:
    person_id: int
    occupation_id: int
    level: int
    batch_id: int = 0
    class_name: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class ExamRoom:
    id: int
    name: str  # as shown in messages, e.g. "机房 J101"
    kind: str = THEORY  # a RoomKind value
    candidates: tuple[RoomCandidate, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: int
    start: datetime
    end: datetime
    name: str = ""

    @property
    def exam_date(self) -> date:
        return self.start.date()


@dataclass(frozen=True, slots=True)
class Assignment:
    staff_id: int
    role: str
    room_id: int | None = None  # None for a supervisor
    manual: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str
    room_id: int | None
    code: str
    message: str
    staff_id: int | None = None


def required(kind: str, candidate_count: int, ratio: Ratio | None = None) -> int:
    """Staff of ``kind`` (proctor, examiner, supervisor) needed for ``candidate_count`` candidates."""
    ratio = ratio or Ratio()
    if candidate_count < 0:
        raise ValueError("考生人数不能为负")
    if kind == SUPERVISOR:
        return 1
    if kind not in (PROCTOR, EXAMINER):
        raise ValueError(f"未知的岗位：{kind}")
    if candidate_count == 0:
        return 0
    if kind == PROCTOR:
        return max(ratio.min_proctors, math.ceil(candidate_count / ratio.candidates_per_proctor))
    n = max(ratio.min_examiners, math.ceil(candidate_count / ratio.candidates_per_examiner))
    return n + 1 if ratio.examiners_odd and n % 2 == 0 else n


def strictest(ratios: Iterable[Ratio]) -> Ratio:
    """The strictest of ``ratios`` field by field (the defaults when there are none)."""
    ratios = list(ratios)
    if not ratios:
        return Ratio()
    return Ratio(
        min(r.candidates_per_proctor for r in ratios),
        max(r.min_proctors for r in ratios),
        min(r.candidates_per_examiner for r in ratios),
        max(r.min_examiners for r in ratios),
        any(r.examiners_odd for r in ratios),
    )


def room_role(room: ExamRoom) -> str:
    return PROCTOR if room.kind == THEORY else EXAMINER


def room_ratio(room: ExamRoom, ratios: Mapping[int, Ratio] | None = None) -> Ratio:
    ratios = ratios or {}
    return strictest(ratios.get(o, Ratio()) for o in sorted({c.occupation_id for c in room.candidates}))


def room_required(room: ExamRoom, ratios: Mapping[int, Ratio] | None = None) -> int:
    return required(room_role(room), len(room.candidates), room_ratio(room, ratios))


def _occ(occupation_id: int, names: Mapping[int, str] | None) -> str:
    name = (names or {}).get(occupation_id)
    return f"{name}（{occupation_id}）" if name else f"职业 {occupation_id}"


def _who(c: RoomCandidate) -> str:
    return f"{c.name}（{c.person_id}）" if c.name else str(c.person_id)


def examiner_problems(
    staff: StaffMember,
    candidates: Sequence[RoomCandidate],
    exam_date: date,
    occupation_names: Mapping[int, str] | None = None,
) -> list[tuple[str, str]]:
    """(code, message) for every card or recusal rule ``staff`` breaks as examiner of ``candidates``."""
    out: list[tuple[str, str]] = []
    who = f"考评员 {staff.name}"
    top: dict[int, int] = {}  # occupation -> highest level examined (smallest number)
    for c in candidates:
        top[c.occupation_id] = min(top.get(c.occupation_id, c.level), c.level)
    for occupation_id, level in sorted(top.items()):
        occ = _occ(occupation_id, occupation_names)
        cards = [k for k in staff.cards if k.occupation_id == occupation_id]
        valid = [k for k in cards if k.issued_on <= exam_date <= k.expires_on]
        if not cards:
            out.append(("card_missing", f"{who} 没有{occ}的考评员证"))
        elif not valid:
            k = max(cards, key=lambda k: (k.expires_on, k.number))
            no = f"（{k.number}）" if k.number else ""
            if k.issued_on > exam_date:
                out.append(
                    ("card_not_yet_valid", f"{who} 的{occ}考评员证{no}自 {k.issued_on} 起生效，考试日期 {exam_date}")
                )
            else:
                out.append(("card_expired", f"{who} 的{occ}考评员证{no}已于 {k.expires_on} 到期，考试日期 {exam_date}"))
        elif all(k.highest_level > level for k in valid):
            best = min(k.highest_level for k in valid)
            n = sum(1 for c in candidates if c.occupation_id == occupation_id and c.level < best)
            out.append(
                (
                    "card_level",
                    f"{who} 的{occ}考评员证最高只能考评{LEVEL_TITLES.get(best, best)}，"
                    f"本场有{LEVEL_TITLES.get(level, level)}等更高等级的考生 {n} 人",
                )
            )
    taught: dict[tuple[int, str], int] = defaultdict(int)
    for c in sorted(candidates, key=lambda c: c.person_id):
        if c.person_id in staff.conflicts:
            out.append(("recusal_conflict", f"{who} 申报与考生 {_who(c)} 有利害关系，须回避"))
        if c.person_id in staff.relatives:
            out.append(("recusal_relative", f"{who} 与考生 {_who(c)} 有亲属关系，须回避"))
        if (c.batch_id, c.class_name) in staff.taught:
            taught[(c.batch_id, c.class_name)] += 1
    for (batch_id, class_name), n in sorted(taught.items()):
        out.append(("recusal_taught", f"{who} 在本批次（{batch_id}）为 {class_name} 授课，须回避该班考生 {n} 人"))
    return out


def eligible_examiner(
    staff: StaffMember,
    candidates: Sequence[RoomCandidate],
    exam_date: date,
    occupation_names: Mapping[int, str] | None = None,
) -> list[str]:
    """Why ``staff`` may not examine ``candidates`` on ``exam_date`` (cards, recusal); empty = may serve."""
    return [message for _, message in examiner_problems(staff, candidates, exam_date, occupation_names)]


def clashes(staff: StaffMember, session: SessionInfo) -> list[str]:
    """The staff member's other duties overlapping the session, as Chinese messages."""
    return [
        f"{staff.name} 在 {b.start:%m-%d %H:%M}–{b.end:%H:%M} 另有安排{('（' + b.label + '）') if b.label else ''}，"
        f"与本场 {session.start:%m-%d %H:%M}–{session.end:%H:%M} 时间重叠"
        for b in sorted(staff.busy, key=lambda b: (b.start, b.end, b.label))
        if b.start < session.end and session.start < b.end
    ]


def _place(a: Assignment, rooms: Mapping[int, ExamRoom]) -> str:
    if a.room_id is None:
        return ROLE_TITLES.get(a.role, a.role)
    room = rooms.get(a.room_id)
    return f"{room.name if room else a.room_id}（{ROLE_TITLES.get(a.role, a.role)}）"


def _assignment_findings(
    session: SessionInfo,
    room_by_id: Mapping[int, ExamRoom],
    assignments: Sequence[Assignment],
    staff_by_id: Mapping[int, StaffMember],
    names: Mapping[int, str] | None,
) -> list[Finding]:
    out: list[Finding] = []
    by_staff: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_staff[a.staff_id].append(a)
    for staff_id, mine in sorted(by_staff.items()):
        s = staff_by_id.get(staff_id)
        if s is None:
            out.append(Finding(ERROR, mine[0].room_id, "unknown_staff", f"人员 {staff_id} 不在人员名单中", staff_id))
            continue
        if len(mine) > 1:
            places = "、".join(_place(a, room_by_id) for a in mine)
            out.append(Finding(ERROR, None, "double_booked", f"{s.name} 在本场同时安排在 {places}", staff_id))
        for a in mine:
            room = room_by_id.get(a.room_id) if a.room_id is not None else None
            title = ROLE_TITLES.get(a.role, a.role)
            if a.role not in s.roles:
                out.append(Finding(WARNING, a.room_id, "role_not_held", f"{s.name} 不是{title}", staff_id))
            if a.room_id is not None and room is None:
                out.append(Finding(ERROR, a.room_id, "unknown_room", f"本场没有编号为 {a.room_id} 的考场", staff_id))
            elif (a.role == SUPERVISOR) != (room is None) or (room is not None and room_role(room) != a.role):
                where = room.name if room else "本场"
                out.append(
                    Finding(WARNING, a.room_id, "wrong_room", f"{where}：{s.name} 作为{title}的安排不适用", staff_id)
                )
            elif a.role == EXAMINER and room is not None:
                for code, message in examiner_problems(s, room.candidates, session.exam_date, names):
                    out.append(Finding(ERROR, room.id, code, f"{room.name}：{message}", staff_id))
        for message in clashes(s, session):
            out.append(Finding(ERROR, mine[0].room_id, "double_booked", message, staff_id))
    return out


def check(
    session: SessionInfo,
    rooms: Sequence[ExamRoom],
    assignments: Sequence[Assignment],
    staff: Iterable[StaffMember],
    ratios: Mapping[int, Ratio] | None = None,
    occupation_names: Mapping[int, str] | None = None,
) -> list[Finding]:
    """Every staffing rule the session breaks: numbers per room, then per person, then the supervisor."""
    room_by_id = {r.id: r for r in rooms}
    staff_by_id = {s.id: s for s in staff}
    out: list[Finding] = []
    for room in rooms:
        role = room_role(room)
        ratio = room_ratio(room, ratios)
        need = required(role, len(room.candidates), ratio)
        have = sum(1 for a in assignments if a.room_id == room.id and a.role == role)
        n = len(room.candidates)
        if have < need:
            code = "proctor_shortage" if role == PROCTOR else "examiner_shortage"
            message = f"{room.name}：考生 {n} 人，需{ROLE_TITLES[role]} {need} 人，现有 {have} 人"
            out.append(Finding(ERROR, room.id, code, message))
        elif role == EXAMINER and ratio.examiners_odd and have % 2 == 0 and have:
            message = f"{room.name}：考评员 {have} 人为偶数，须为奇数（应为 {have + 1} 人或 {have - 1} 人）"
            out.append(Finding(ERROR, room.id, "examiner_even", message))
    out += _assignment_findings(session, room_by_id, assignments, staff_by_id, occupation_names)
    if not any(a.role == SUPERVISOR for a in assignments):
        title = f"本场（{session.name}）" if session.name else "本场"
        out.append(Finding(ERROR, None, "no_supervisor", f"{title}没有督导员"))
    return out
