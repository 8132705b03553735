"""Staffing rules and automatic staff assignment: pure functions, so no app or database here."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from examsys.modules.scheduling.staffing_assign import assign
from examsys.modules.scheduling.staffing_rules import (
    EXAMINER,
    PROCTOR,
    SUPERVISOR,
    Assignment,
    Card,
    Commitment,
    ExamRoom,
    Finding,
    Ratio,
    RoomCandidate,
    SessionInfo,
    StaffMember,
    check,
    eligible_examiner,
    required,
    room_required,
    strictest,
)

EXAM_DAY = date(2026, 6, 20)
SESSION = SessionInfo(7, datetime(2026, 6, 20, 9, 0), datetime(2026, 6, 20, 11, 0), "6月20日上午")
REPAIR, ASSEMBLY = 11, 12
NAMES = {REPAIR: "汽车维修工", ASSEMBLY: "汽车装调工"}


def card(occupation=REPAIR, level=3, issued=date(2024, 1, 1), until=date(2026, 12, 31), number="KP-1") -> Card:
    return Card(occupation, level, issued, until, number)


def examiner(sid: int, name: str = "", cards=None, **kw) -> StaffMember:
    return StaffMember(sid, name or f"考评员{sid}", cards=tuple(cards if cards is not None else [card()]), **kw)


def crowd(n: int, occupation=REPAIR, level=4, first=1, batch=3, klass="24汽修1班") -> tuple[RoomCandidate, ...]:
    return tuple(RoomCandidate(first + i, occupation, level, batch, klass) for i in range(n))


def lab(rid: int, n: int, name: str = "") -> ExamRoom:
    return ExamRoom(rid, name or f"机房 J{rid}", "theory_lab", crowd(n, first=rid * 1000))


def venue(rid: int, n: int, name: str = "", **kw) -> ExamRoom:
    return ExamRoom(rid, name or f"实操场地 S{rid}", "practical", crowd(n, first=rid * 1000, **kw))


def codes(findings: list[Finding]) -> list[tuple[int | None, str]]:
    return [(f.room_id, f.code) for f in findings]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(("count", "proctors"), [(0, 0), (1, 2), (15, 2), (16, 2), (30, 2), (31, 3), (45, 3), (46, 4)])
def test_proctors_per_theory_room(count, proctors):
    assert required(PROCTOR, count) == proctors


@pytest.mark.parametrize(
    ("count", "examiners"),
    [(0, 0), (1, 3), (5, 3), (6, 3), (7, 3), (15, 3), (16, 5), (20, 5), (25, 5), (26, 7), (35, 7), (36, 9)],
)
def test_examiners_per_venue_odd_and_at_least_three(count, examiners):
    assert required(EXAMINER, count) == examiners


def test_ratio_boundaries_without_the_minimums():
    one = Ratio(min_proctors=1, min_examiners=1, examiners_odd=False)
    assert [required(PROCTOR, n, one) for n in (14, 15, 16, 30, 31)] == [1, 1, 2, 2, 3]
    assert [required(EXAMINER, n, one) for n in (4, 5, 6, 10, 11)] == [1, 1, 2, 2, 3]
    assert required(EXAMINER, 16, Ratio(examiners_odd=False)) == 4
    assert required(SUPERVISOR, 0) == required(SUPERVISOR, 300) == 1


def test_required_refuses_nonsense():
    with pytest.raises(ValueError, match="岗位"):
        required("janitor", 3)
    with pytest.raises(ValueError, match="负"):
        required(PROCTOR, -1)


def test_a_mixed_room_uses_the_strictest_ratio():
    tight = Ratio(
        candidates_per_proctor=10, min_proctors=1, candidates_per_examiner=4, min_examiners=3, examiners_odd=False
    )
    assert strictest([Ratio(), tight]) == Ratio(10, 2, 4, 3, True)
    assert strictest([]) == Ratio()
    mixed = ExamRoom(1, "机房 J1", "theory_lab", crowd(12) + crowd(9, ASSEMBLY, first=100))
    assert room_required(mixed) == 2  # 21 / 15
    assert room_required(mixed, {ASSEMBLY: tight}) == 3  # 21 / 10
    shop = ExamRoom(2, "实操场地 S2", "practical", crowd(6) + crowd(6, ASSEMBLY, first=100))
    assert room_required(shop, {ASSEMBLY: tight}) == 3  # ceil(12 / 4) = 3, already odd
    assert (
        room_required(ExamRoom(3, "x", "outdoor", crowd(13)), {REPAIR: tight}) == 4
    )  # ceil(13/4); this ratio waives odd
    assert (
        room_required(ExamRoom(4, "y", "outdoor", crowd(13)), {REPAIR: Ratio(candidates_per_examiner=4)}) == 5
    )  # 4 -> odd


# --------------------------------------------------------------------------- check: numbers


def good_staff() -> list[StaffMember]:
    return [examiner(i) for i in range(1, 30)]


def test_a_properly_staffed_session_has_no_findings():
    rooms = [lab(101, 31), venue(201, 7)]
    assignments = [Assignment(i, PROCTOR, 101) for i in (1, 2, 3)]
    assignments += [Assignment(i, EXAMINER, 201) for i in (4, 5, 6)] + [Assignment(7, SUPERVISOR)]
    assert check(SESSION, rooms, assignments, good_staff(), occupation_names=NAMES) == []


def test_short_rooms_even_examiners_and_no_supervisor_are_flagged():
    rooms = [lab(101, 31, "机房 J101"), lab(102, 10), venue(201, 7), venue(202, 7), venue(203, 16), lab(104, 0)]
    assignments = [Assignment(1, PROCTOR, 101), Assignment(2, PROCTOR, 102)]
    assignments += [Assignment(i, EXAMINER, 201) for i in (3, 4)]
    assignments += [Assignment(i, EXAMINER, 202) for i in (5, 6, 7, 8)]
    assignments += [Assignment(i, EXAMINER, 203) for i in (9, 10, 11, 12)]
    findings = check(SESSION, rooms, assignments, good_staff())
    assert codes(findings) == [
        (101, "proctor_shortage"),
        (102, "proctor_shortage"),
        (201, "examiner_shortage"),
        (202, "examiner_even"),
        (203, "examiner_shortage"),  # 16 candidates need 5: the shortage says so, no separate even finding
        (None, "no_supervisor"),
    ]
    assert all(f.severity == "error" for f in findings)
    text = [f.message for f in findings]
    assert text[0] == "机房 J101：考生 31 人，需监考员 3 人，现有 1 人"
    assert text[1] == "机房 J102：考生 10 人，需监考员 2 人，现有 1 人"
    assert text[2] == "实操场地 S201：考生 7 人，需考评员 3 人，现有 2 人"
    assert text[3] == "实操场地 S202：考评员 4 人为偶数，须为奇数（应为 5 人或 3 人）"
    assert text[4] == "实操场地 S203：考生 16 人，需考评员 5 人，现有 4 人"
    assert text[5] == "本场（6月20日上午）没有督导员"


def test_staff_count_by_role_in_rooms_of_the_matching_kind():
    rooms = [lab(101, 10), venue(201, 5)]
    assignments = [Assignment(1, EXAMINER, 101), Assignment(2, PROCTOR, 101), Assignment(3, PROCTOR, 201)]
    assignments += [Assignment(i, EXAMINER, 201) for i in (4, 5, 6)] + [Assignment(7, SUPERVISOR, 101)]
    assignments += [Assignment(8, PROCTOR, 999)]
    findings = check(SESSION, rooms, assignments, good_staff())
    assert codes(findings) == [
        (101, "proctor_shortage"),
        (101, "wrong_room"),
        (201, "wrong_room"),
        (101, "wrong_room"),
        (999, "unknown_room"),
    ]
    assert findings[1].message == "机房 J101：考评员1 作为考评员的安排不适用" and findings[1].severity == "warning"


# --------------------------------------------------------------------------- check: cards


@pytest.mark.parametrize(
    ("issued", "until", "code"),
    [
        (date(2023, 6, 20), date(2026, 6, 19), "card_expired"),  # expired the day before
        (date(2023, 6, 21), date(2026, 6, 20), None),  # expires on the exam date: still valid
        (date(2026, 6, 20), date(2029, 6, 19), None),  # issued on the exam date
        (date(2026, 6, 21), date(2029, 6, 20), "card_not_yet_valid"),
        (date(2023, 6, 20), None, "card_expired"),  # three years: until 2026-06-19
        (date(2023, 6, 21), None, None),  # three years: until 2026-06-20
    ],
)
def test_card_must_be_valid_on_the_exam_date(issued, until, code):
    staff = examiner(1, "王考评", [card(issued=issued, until=until, number="KP-9")])
    problems = eligible_examiner(staff, crowd(3), EXAM_DAY, NAMES)
    if code is None:
        assert problems == []
        return
    findings = check(SESSION, [venue(201, 3)], [Assignment(1, EXAMINER, 201)], [staff], occupation_names=NAMES)
    assert (201, code) in codes(findings)
    if code == "card_expired":
        assert problems == ["考评员 王考评 的汽车维修工（11）考评员证（KP-9）已于 2026-06-19 到期，考试日期 2026-06-20"]
    else:
        assert problems == ["考评员 王考评 的汽车维修工（11）考评员证（KP-9）自 2026-06-21 起生效，考试日期 2026-06-20"]


def test_three_year_default_from_a_leap_day():
    assert Card(REPAIR, 3, date(2024, 2, 29)).expires_on == date(2027, 2, 28)
    assert Card(REPAIR, 3, date(2024, 3, 1)).expires_on == date(2027, 2, 28)
    assert Card(REPAIR, 3, date(2024, 3, 2)).expires_on == date(2027, 3, 1)


def test_card_level_covers_its_level_and_the_ones_below():
    three = examiner(1, "李考评", [card(level=3)])
    for level in (3, 4, 5):
        assert eligible_examiner(three, crowd(2, level=level), EXAM_DAY) == []
    mixed = crowd(3, level=4) + crowd(2, level=2, first=50)
    assert eligible_examiner(three, mixed, EXAM_DAY, NAMES) == [
        "考评员 李考评 的汽车维修工（11）考评员证最高只能考评三级，本场有二级等更高等级的考生 2 人"
    ]
    # a second, valid card of a higher level covers it; an expired higher card does not
    assert eligible_examiner(examiner(2, cards=[card(level=3), card(level=2)]), mixed, EXAM_DAY) == []
    old_high = card(level=1, until=date(2026, 6, 19))
    assert [c for c in eligible_examiner(examiner(3, cards=[card(level=3), old_high]), mixed, EXAM_DAY)] != []


def test_card_needed_for_every_occupation_in_the_venue():
    room = crowd(3) + crowd(2, ASSEMBLY, first=50)
    assert eligible_examiner(examiner(1, "赵考评"), room, EXAM_DAY, NAMES) == [
        "考评员 赵考评 没有汽车装调工（12）的考评员证"
    ]
    both = examiner(2, cards=[card(), card(ASSEMBLY, 4)])
    assert eligible_examiner(both, room, EXAM_DAY) == []
    assert eligible_examiner(examiner(3, "钱考评", cards=[]), crowd(1), EXAM_DAY) == [
        "考评员 钱考评 没有职业 11的考评员证"
    ]


# --------------------------------------------------------------------------- check: recusal and double booking


def test_recusal_conflict_relative_and_taught_class():
    candidates = (
        RoomCandidate(1, REPAIR, 4, 3, "24汽修1班", "张三"),
        RoomCandidate(2, REPAIR, 4, 3, "24汽修2班"),
        RoomCandidate(3, REPAIR, 4, 3, "24汽修2班"),
        RoomCandidate(4, REPAIR, 4, 5, "24汽修3班"),
    )
    staff = examiner(
        9,
        "周考评",
        conflicts=frozenset({1}),
        relatives=frozenset({4}),
        taught=frozenset({(3, "24汽修2班"), (5, "24汽修1班")}),  # 24汽修1班 of batch 5 is not in this venue
    )
    assert eligible_examiner(staff, candidates, EXAM_DAY) == [
        "考评员 周考评 申报与考生 张三（1） 有利害关系，须回避",
        "考评员 周考评 与考生 4 有亲属关系，须回避",
        "考评员 周考评 在本批次（3）为 24汽修2班 授课，须回避该班考生 2 人",
    ]
    room = ExamRoom(201, "实操场地 S201", "practical", candidates)
    findings = check(SESSION, [room], [Assignment(9, EXAMINER, 201)], [staff])
    assert [c for _, c in codes(findings)] == [
        "examiner_shortage",
        "recusal_conflict",
        "recusal_relative",
        "recusal_taught",
        "no_supervisor",
    ]
    assert findings[1].message == "实操场地 S201：考评员 周考评 申报与考生 张三（1） 有利害关系，须回避"
    assert findings[1].staff_id == 9
    # recusal concerns examiners: the same person proctoring a theory room is not flagged
    theory = ExamRoom(101, "机房 J101", "theory_lab", candidates)
    assert codes(check(SESSION, [theory], [Assignment(9, PROCTOR, 101)], [staff])) == [
        (101, "proctor_shortage"),
        (None, "no_supervisor"),
    ]


def test_one_place_at_a_time():
    busy = examiner(
        5, "吴老师", busy=(Commitment(datetime(2026, 6, 20, 10, 30), datetime(2026, 6, 20, 12), "理论场次 3"),)
    )
    touching = examiner(6, "郑老师", busy=(Commitment(datetime(2026, 6, 20, 11), datetime(2026, 6, 20, 13)),))
    twice = examiner(7, "冯老师")
    rooms = [lab(101, 15), lab(102, 15)]
    assignments = [
        Assignment(5, PROCTOR, 101),
        Assignment(6, PROCTOR, 101),
        Assignment(7, PROCTOR, 102),
        Assignment(7, PROCTOR, 101),
        Assignment(8, SUPERVISOR),
    ]
    findings = check(SESSION, rooms, assignments, [busy, touching, twice, examiner(8)])
    doubles = [f for f in findings if f.code == "double_booked"]
    assert [(f.staff_id, f.room_id) for f in doubles] == [(5, 101), (7, None)]
    assert doubles[0].message == "吴老师 在 06-20 10:30–12:00 另有安排（理论场次 3），与本场 06-20 09:00–11:00 时间重叠"
    assert doubles[1].message == "冯老师 在本场同时安排在 机房 J102（监考员）、机房 J101（监考员）"


def test_unknown_staff_and_roles_not_held():
    proctor_only = StaffMember(3, "陈老师", roles=frozenset({PROCTOR}))
    rooms = [lab(101, 10)]
    assignments = [Assignment(3, SUPERVISOR), Assignment(99, PROCTOR, 101), Assignment(3, PROCTOR, 101)]
    findings = check(SESSION, rooms, assignments, [proctor_only])
    assert (None, "role_not_held") in codes(findings)
    assert (101, "unknown_staff") in codes(findings)
    assert next(f for f in findings if f.code == "role_not_held").message == "陈老师 不是督导员"


# --------------------------------------------------------------------------- assign


def test_assign_fills_everything_and_the_result_checks_clean():
    rooms = [lab(101, 31), lab(102, 16), venue(201, 16), venue(202, 6)]
    pool = [examiner(i) for i in range(1, 21)]
    added, shortages = assign(SESSION, rooms, pool)
    assert shortages == []
    per_room = {r.id: sum(1 for a in added if a.room_id == r.id) for r in rooms}
    assert per_room == {101: 3, 102: 2, 201: 5, 202: 3}
    assert sum(1 for a in added if a.role == SUPERVISOR) == 1
    assert len({a.staff_id for a in added}) == len(added)
    assert not any(a.manual for a in added)
    assert check(SESSION, rooms, added, pool) == []
    assert assign(SESSION, rooms, list(reversed(pool))) == (added, shortages)  # deterministic


def test_assign_keeps_existing_and_counts_them():
    rooms = [lab(101, 31), venue(201, 7)]
    pool = [examiner(i) for i in range(1, 21)]
    existing = [Assignment(1, PROCTOR, 101, manual=True), Assignment(2, SUPERVISOR, manual=True)]
    existing += [Assignment(i, EXAMINER, 201, manual=True) for i in (3, 4, 5, 6)]  # 4: even
    added, shortages = assign(SESSION, rooms, pool, existing)
    assert shortages == []
    assert sum(1 for a in added if a.room_id == 101) == 2
    assert sum(1 for a in added if a.room_id == 201) == 1  # 4 -> 5, the next odd number
    assert not any(a.role == SUPERVISOR for a in added)
    assert not {a.staff_id for a in added} & {a.staff_id for a in existing}
    assert check(SESSION, rooms, existing + added, pool) == []


def test_assign_prefers_the_least_loaded():
    rooms = [lab(101, 10)]
    pool = [StaffMember(i, f"老师{i}", roles=frozenset({PROCTOR})) for i in range(1, 6)]
    pool.append(StaffMember(6, "督导", roles=frozenset({SUPERVISOR})))
    added, _ = assign(SESSION, rooms, pool, load={1: 3, 2: 1, 3: 0, 4: 2, 5: 0})
    assert sorted(a.staff_id for a in added if a.role == PROCTOR) == [3, 5]
    # across rooms of one run the count so far is balanced too
    added, _ = assign(SESSION, [lab(101, 10), lab(102, 10)], pool, load={1: 1, 2: 1, 3: 1, 4: 1})
    assert [a.staff_id for a in added if a.role == PROCTOR] == [5, 1, 2, 3]


def test_assign_respects_cards_recusal_and_other_duties():
    room = venue(201, 5)
    relative = examiner(1, relatives=frozenset({201000}))
    expired = examiner(2, cards=[card(until=date(2026, 6, 19))])
    low = examiner(3, cards=[card(level=5)])  # candidates are level 4
    elsewhere = examiner(4, busy=(Commitment(datetime(2026, 6, 20, 8), datetime(2026, 6, 20, 9, 30)),))
    good = [examiner(i) for i in (5, 6, 7, 8)]
    proctor_only = StaffMember(9, "孙老师", roles=frozenset({PROCTOR, SUPERVISOR}))
    pool = [relative, expired, low, elsewhere, *good, proctor_only]
    added, shortages = assign(SESSION, [room], pool)
    assert shortages == []
    assert sorted(a.staff_id for a in added if a.role == EXAMINER) == [5, 6, 7]
    assert [a.staff_id for a in added if a.role == SUPERVISOR] == [9]  # fewer roles: the examiner stays free
    assert check(SESSION, [room], added, pool) == []


def test_assign_reports_shortages_and_keeps_examiners_odd():
    rooms = [venue(201, 16), lab(101, 31)]
    pool = [examiner(i) for i in range(1, 5)] + [examiner(5, cards=[]), examiner(6, relatives=frozenset({201000}))]
    pool.append(examiner(7, busy=(Commitment(datetime(2026, 6, 20, 10), datetime(2026, 6, 20, 12)),)))
    added, shortages = assign(SESSION, rooms, pool)
    examiners = [a.staff_id for a in added if a.role == EXAMINER]
    assert examiners == [1, 2, 3]  # 4 usable, but 4 is even: 3, and the fourth goes elsewhere
    assert [(f.room_id, f.code) for f in shortages] == [(201, "examiner_shortage"), (101, "proctor_shortage")]
    assert shortages[0].message == (
        "实操场地 S201：考生 16 人，需考评员 5 人，现有 3 人，还缺 2 人（考评员共 7 人：2 人证书不符或须回避，1 人时间冲突，3 人已在本场其他岗位）"
    )
    assert shortages[1].message.startswith(
        "机房 J101：考生 31 人，需监考员 3 人，现有 2 人，还缺 1 人（监考员共 7 人："  # 5 and 6 proctor; 4 supervises
    )
    assert [a.staff_id for a in added if a.role == SUPERVISOR] == [4]


def test_assign_with_an_even_manual_set_and_no_one_left():
    rooms = [venue(201, 7)]
    pool = [examiner(i) for i in range(1, 5)]
    existing = [Assignment(i, EXAMINER, 201, manual=True) for i in (1, 2, 3, 4)]
    added, shortages = assign(SESSION, rooms, pool, existing)
    assert added == []
    assert [(f.code, f.message) for f in shortages] == [
        (
            "examiner_even",
            "实操场地 S201：考生 7 人，需考评员 5 人，现有 4 人，还缺 1 人（考评员共 4 人：4 人已在本场其他岗位）",
        ),
        ("no_supervisor", "本场（6月20日上午）没有可安排的督导员（督导员共 4 人：4 人已在本场其他岗位）"),
    ]


def test_assign_puts_scarce_examiners_where_only_they_fit():
    """Venue 202 (汽车装调工) has only two usable examiners besides the all-rounders: 202 goes first."""
    rooms = [venue(201, 5), venue(202, 5, occupation=ASSEMBLY)]
    both = [examiner(i, cards=[card(), card(ASSEMBLY)]) for i in (1, 2, 3)]
    repair_only = [examiner(i) for i in (4, 5, 6)]
    added, shortages = assign(
        SESSION, rooms, [*both, *repair_only, StaffMember(9, "督导", roles=frozenset({SUPERVISOR}))]
    )
    assert shortages == []
    assert sorted(a.staff_id for a in added if a.room_id == 202) == [1, 2, 3]
    assert sorted(a.staff_id for a in added if a.room_id == 201) == [4, 5, 6]


def test_random_pools_never_break_a_rule():
    for seed in range(60):
        rng = random.Random(seed)
        rooms = [lab(100 + i, rng.randint(0, 40)) for i in range(rng.randint(1, 3))]
        rooms += [venue(200 + i, rng.randint(1, 20), level=rng.choice([2, 3, 4])) for i in range(rng.randint(0, 3))]
        pool = []
        for sid in range(1, rng.randint(2, 30)):
            cards = [card(level=rng.randint(1, 5), until=rng.choice([date(2026, 6, 19), date(2027, 1, 1)]))]
            busy = (Commitment(datetime(2026, 6, 20, 10), datetime(2026, 6, 20, 12)),) if rng.random() < 0.2 else ()
            relatives = frozenset({200000 + rng.randint(0, 5)}) if rng.random() < 0.2 else frozenset()
            pool.append(examiner(sid, cards=cards, busy=busy, relatives=relatives))
        added, shortages = assign(SESSION, rooms, pool, load={s.id: rng.randint(0, 3) for s in pool})
        findings = check(SESSION, rooms, added, pool)
        broken = {f.code for f in findings} - {"proctor_shortage", "examiner_shortage", "no_supervisor"}
        assert broken == set(), seed
        assert {(f.room_id, f.code) for f in findings} == {(f.room_id, f.code) for f in shortages}, seed
