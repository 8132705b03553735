"""Seat allocation (scheduling.allocation): a pure algorithm, so no app or database here."""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict

import pytest

from examsys.modules.scheduling.allocation import (
    Allocation,
    Candidate,
    Lab,
    MoveRefused,
    Placement,
    SeatSpec,
    Settings,
    Sitting,
    _LabPlan,
    _repair,
    allocate,
    apply_move,
    check_move,
    form_for,
    move_problems,
    spare_seat_ids,
    violations,
)

# 14 labs like seed 002's: 6 x (5x10), 4 x (5x9), 2 x (4x9), 2 x (4x8) = 616 seats, 4 out of service.
SHAPES = [(5, 10)] * 6 + [(5, 9)] * 4 + [(4, 9)] * 2 + [(4, 8)] * 2
NAMES = ["东楼301", "东楼302", "东楼303", "东楼304", "北楼513", "东楼403", "东楼404"] + [
    f"西楼{n}" for n in range(201, 208)
]
OUT_OF_SERVICE = {(1, 2, 3), (3, 5, 10), (8, 1, 4), (12, 4, 1)}  # (lab, row, col)
MAJORS = ["电商", "汽修", "数控", "物流", "会计", "软件", "网络", "保育", "服装", "轨道"]


def make_labs(shapes=SHAPES, out_of_service=OUT_OF_SERVICE) -> list[Lab]:
    labs, seat_id = [], 1
    for lab_id, (rows, cols) in enumerate(shapes, 1):
        seats = []
        for row in range(1, rows + 1):
            for col in range(1, cols + 1):
                seats.append(SeatSpec(seat_id, row, col, (lab_id, row, col) not in out_of_service))
                seat_id += 1
        labs.append(Lab(lab_id, rows, cols, seats, NAMES[lab_id - 1]))
    return labs


def make_candidates(n: int, batches: int = 10, seed: int = 2026, first_id: int = 1) -> list[Candidate]:
    """Classes of 30-45 (the last may be smaller), spread over ``batches`` batches, shuffled."""
    rng = random.Random(seed)
    out: list[Candidate] = []
    k = 0
    while len(out) < n:
        k += 1
        size = min(rng.randint(30, 45), n - len(out))
        key = f"college:2024:24{MAJORS[k % len(MAJORS)]}{k}班"
        base = first_id + len(out)
        out.extend(Candidate(base + i, key, k % batches + 1) for i in range(size))
    rng.shuffle(out)
    return out


def make_sittings(n: int) -> list[Sitting]:
    return [Sitting(100 + order, order) for order in range(n, 0, -1)]  # deliberately not in order


def occupancy(allocation: Allocation) -> dict[tuple[int, int], dict[int, int]]:
    rooms: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for cid, p in allocation.placements.items():
        assert p.seat_id not in rooms[(p.sitting_id, p.lab_id)], "one candidate per seat"
        rooms[(p.sitting_id, p.lab_id)][p.seat_id] = cid
    return rooms


def neighbour_pairs(lab: Lab):
    at = {(s.row, s.col): s for s in lab.seats}
    for s in lab.seats:
        for other in (at.get((s.row, s.col + 1)), at.get((s.row + 1, s.col))):
            if other is not None:
                yield s, other


def classmate_pairs(allocation: Allocation, labs: list[Lab], candidates: list[Candidate]) -> int:
    """Independent count (not the module's own) of same-class orthogonal neighbours."""
    klass = {c.id: c.class_key for c in candidates}
    rooms = occupancy(allocation)
    n = 0
    for (_sitting, lab_id), room in rooms.items():
        lab = next(lab for lab in labs if lab.id == lab_id)
        for a, b in neighbour_pairs(lab):
            if a.id in room and b.id in room and klass[room[a.id]] == klass[room[b.id]]:
                n += 1
    return n


@pytest.fixture(scope="module")
def labs() -> list[Lab]:
    return make_labs()


@pytest.fixture(scope="module")
def big(labs):
    candidates = make_candidates(3000)
    return candidates, allocate(candidates, labs, make_sittings(8))


def test_everyone_placed_in_the_fewest_sittings(labs, big):
    candidates, allocation = big
    capacity = sum(sum(s.in_service for s in lab.seats) - 2 for lab in labs)
    assert capacity == 612 - 28
    assert len(allocation.placements) == len(candidates)
    assert allocation.unplaced == []
    assert allocation.warnings == []
    used = {p.sitting_id for p in allocation.placements.values()}
    assert used == {101, 102, 103, 104, 105, 106}  # ceil(3000 / 584) = 6, the earliest ones
    per_sitting = Counter(p.sitting_id for p in allocation.placements.values())
    assert [per_sitting[100 + o] for o in range(1, 6)] == [capacity] * 5


def test_spare_seats_kept_free_in_every_lab_and_sitting(labs, big):
    _, allocation = big
    rooms = occupancy(allocation)
    for lab in labs:
        spares = set(spare_seat_ids(lab))
        assert len(spares) == 2
        in_service = {s.id for s in lab.seats if s.in_service}
        for order in range(1, 6):  # the full sittings: exactly the two spares stay free
            assert in_service - set(rooms[(100 + order, lab.id)]) == spares
        assert not spares & set(rooms.get((106, lab.id), {}))


def test_spare_policy_takes_the_ends_of_the_back_row(labs):
    lab = labs[0]  # 5x10, fully in service
    seat = {s.id: (s.row, s.col) for s in lab.seats}
    assert [seat[s] for s in spare_seat_ids(lab)] == [(5, 1), (5, 10)]
    four = [seat[s] for s in spare_seat_ids(lab, Settings(spare_per_lab=4))]
    assert sorted(four) == [(4, 1), (4, 10), (5, 1), (5, 10)]
    broken = make_labs([(4, 8)], out_of_service={(1, 4, 8)})[0]  # back-right corner broken: next seat in
    at = {s.id: (s.row, s.col) for s in broken.seats}
    assert sorted(at[s] for s in spare_seat_ids(broken)) == [(4, 1), (4, 7)]


def test_out_of_service_seats_never_used(labs, big):
    _, allocation = big
    broken = {s.id for lab in labs for s in lab.seats if not s.in_service}
    assert len(broken) == 4
    assert not broken & {p.seat_id for p in allocation.placements.values()}


def test_no_classmates_side_by_side_on_a_realistic_mix(labs, big):
    candidates, allocation = big
    assert classmate_pairs(allocation, labs, candidates) == 0
    assert violations(allocation, labs).adjacent_classmates == 0


def test_heuristic_beats_filling_in_order(labs, big):
    """The same data seated class by class in reading order has hundreds of such pairs."""
    candidates, allocation = big
    naive: dict[int, Placement] = {}
    queue = sorted(candidates, key=lambda c: (c.batch_id, c.class_key, c.id))
    seats = [(lab, s) for lab in labs for s in sorted(lab.seats, key=lambda s: (s.row, s.col)) if s.in_service]
    for i, c in enumerate(queue):
        lab, s = seats[i % len(seats)]
        naive[c.id] = Placement(101 + i // len(seats), lab.id, s.id, "A")
    naive_allocation = Allocation(naive, [], [], class_keys=allocation.class_keys)
    assert classmate_pairs(naive_allocation, labs, candidates) > 500


def lab_with(shape, out_of_service=()) -> Lab:
    rows, cols = shape
    seats = [
        SeatSpec(r * 100 + c, r, c, (r, c) not in out_of_service)
        for r in range(1, rows + 1)
        for c in range(1, cols + 1)
    ]
    return Lab(1, rows, cols, seats, "东楼301")


@pytest.mark.parametrize("shape", [(5, 10), (5, 9), (4, 9), (4, 8), (3, 7)])
@pytest.mark.parametrize("broken", [(), ((2, 3),), ((1, 1), (3, 4))])
def test_zero_conflicts_whenever_no_class_exceeds_half_a_lab(shape, broken):
    """Full (and part-full) labs with random mixes where each class fits the smaller colour."""
    lab = lab_with(shape, broken)
    plan = _LabPlan(lab, Settings(), 0)
    half = min(len(plan.black), len(plan.white))  # about half the lab's usable seats
    for seed in range(200):
        rng = random.Random(seed)
        n = plan.capacity if seed % 3 else rng.randint(plan.capacity // 2, plan.capacity)
        limit = half if seed % 2 else rng.randint(2, half)
        candidates: list[Candidate] = []
        k = 0
        while len(candidates) < n:
            k += 1
            size = min(rng.randint(1, limit), n - len(candidates))
            base = len(candidates)
            candidates.extend(Candidate(base + i, f"c:{k}", 1) for i in range(size))
        allocation = allocate(candidates, [lab], [Sitting(1, 1)])
        assert len(allocation.placements) == n
        assert classmate_pairs(allocation, [lab], candidates) == 0, (shape, broken, seed)


def test_repair_pass_untangles_a_class_by_class_seating():
    """Two classes of 24 seated in reading order (the first 24 seats, then the rest) -> no conflicts."""
    lab = lab_with((5, 10))
    plan = _LabPlan(lab, Settings(), 0)
    seats = sorted(plan.usable_free, key=plan.position.__getitem__)
    occ = {seat_id: i for i, seat_id in enumerate(seats)}
    class_of = {i: "k:first" if i < 24 else "k:second" for i in occ.values()}
    candidates = [Candidate(i, class_of[i], 1) for i in occ.values()]

    def pairs() -> int:
        placements = {cid: Placement(1, 1, seat_id, "A") for seat_id, cid in occ.items()}
        return classmate_pairs(Allocation(placements, [], []), [lab], candidates)

    assert pairs() > 60
    frozen = {0, 2, 4}  # A01, A03, A05 are not movable: the pass must leave them where they are
    where = {cid: seat_id for seat_id, cid in occ.items() if cid in frozen}
    _repair(plan, occ, class_of, set(occ.values()) - frozen, rounds=100)
    assert pairs() == 0
    assert {cid: seat_id for seat_id, cid in occ.items() if cid in frozen} == where
    assert sorted(occ.values()) == list(range(48))  # nobody lost or duplicated
    assert set(occ) <= set(plan.usable_free)  # spares untouched


def test_violations_reported_when_one_class_fills_a_lab():
    lab = lab_with((5, 10))
    candidates = [Candidate(i, "college:2024:24电商1班", 1) for i in range(1, 49)]
    allocation = allocate(candidates, [lab], [Sitting(7, 1)])
    pairs = classmate_pairs(allocation, [lab], candidates)
    assert pairs > 0
    assert violations(allocation, [lab]).adjacent_classmates == pairs
    reported = [w for w in allocation.warnings if "同班同学" in w]
    assert len(reported) == pairs
    assert reported[0].startswith("第 1 场 东楼301 座位 A01 与 A02 为同班同学（24电商1班）")
    assert reported[0].endswith("相邻")


def test_two_classes_of_half_a_lab_each_are_interleaved():
    lab = lab_with((5, 10))
    candidates = [Candidate(i, f"k:{i % 2}", 1) for i in range(48)]  # 24 + 24 in 48 seats
    allocation = allocate(candidates, [lab], [Sitting(1, 1)])
    assert classmate_pairs(allocation, [lab], candidates) == 0
    assert allocation.warnings == []


@pytest.mark.parametrize("forms", [("A", "B"), ("A", "B", "C"), ("A", "B", "C", "D")])
def test_forms_differ_for_every_orthogonal_neighbour_pair(labs, forms):
    for lab in labs:
        for a, b in neighbour_pairs(lab):
            assert form_for(a.row, a.col, forms) != form_for(b.row, b.col, forms)
    candidates = make_candidates(1200)
    allocation = allocate(candidates, labs, make_sittings(3), Settings(forms=forms))
    assert violations(allocation, labs).same_form_neighbours == 0
    seat = {s.id: s for lab in labs for s in lab.seats}
    for p in allocation.placements.values():
        assert p.form == form_for(seat[p.seat_id].row, seat[p.seat_id].col, forms)
    assert {p.form for p in allocation.placements.values()} == set(forms)


def test_same_form_neighbours_would_be_reported():
    lab = lab_with((2, 2))  # one form only: three candidates in four seats make two neighbour pairs
    candidates = [Candidate(i, f"c:{i}", 1) for i in range(3)]
    allocation = allocate(candidates, [lab], [Sitting(1, 1)], Settings(0, ("A",)))
    assert violations(allocation, [lab]).same_form_neighbours == 2
    assert any("同一试卷（A 卷）" in w for w in allocation.warnings)


def test_capacity_shortfall_reported_with_the_numbers(labs):
    candidates = make_candidates(2000)
    allocation = allocate(candidates, labs, make_sittings(3))  # 3 x 584 = 1752 seats
    assert len(allocation.placements) == 1752
    assert len(allocation.unplaced) == 248
    assert set(allocation.unplaced).isdisjoint(allocation.placements)
    assert allocation.warnings[-1] == "容量不足：还有 248 名考生无法安排，需要再增加 1 场"
    short = allocate(candidates, labs[:1], make_sittings(2))  # 50 seats, 1 broken, 2 spare: 47 a sitting
    assert short.warnings[-1] == "容量不足：还有 1906 名考生无法安排，需要再增加 41 场"  # 1906 / 47 = 40.55


def test_late_additions_move_nobody(labs, big):
    candidates, allocation = big
    late = [Candidate(90_000 + i, "college:2024:24电商1班", 3) for i in range(5)]
    again = allocate(candidates + late, labs, make_sittings(8), previous=allocation.placements)
    for c in candidates:
        assert again.placements[c.id] == allocation.placements[c.id]
    assert again.moved == []
    taken = {(p.sitting_id, p.lab_id, p.seat_id) for p in allocation.placements.values()}
    for c in late:
        p = again.placements[c.id]
        assert (p.sitting_id, p.lab_id, p.seat_id) not in taken
        assert p.sitting_id == 106  # the partly filled sitting, not a new one
    assert classmate_pairs(again, labs, candidates + late) == 0
    assert violations(again, labs).spare_seats_used == 0
    assert again.warnings == []


def test_additions_into_a_full_sitting_use_the_next_one(labs):
    candidates = make_candidates(584)  # exactly one full sitting
    first = allocate(candidates, labs, make_sittings(3))
    late = [Candidate(90_000 + i, "k:late", 1) for i in range(5)]
    again = allocate(candidates + late, labs, make_sittings(3), previous=first.placements)
    assert all(again.placements[c.id] == first.placements[c.id] for c in candidates)
    assert {again.placements[c.id].sitting_id for c in late} == {102}
    assert classmate_pairs(again, labs, candidates + late) == 0


def test_removals_free_seats_without_moving_anyone(labs, big):
    candidates, allocation = big
    gone = {c.id for c in candidates[:40]}
    kept = [c for c in candidates if c.id not in gone]
    again = allocate(kept, labs, make_sittings(8), previous=allocation.placements)
    assert again.placements == {c.id: allocation.placements[c.id] for c in kept}
    assert again.moved == []
    freed = {
        (allocation.placements[g].sitting_id, allocation.placements[g].lab_id, allocation.placements[g].seat_id)
        for g in gone
    }
    taken = {(p.sitting_id, p.lab_id, p.seat_id) for p in again.placements.values()}
    assert not freed & taken
    # A new candidate then lands in a freed seat of the earliest sitting, still moving nobody.
    newcomer = Candidate(95_000, "college:2024:24保育99班", 1)
    third = allocate([*kept, newcomer], labs, make_sittings(8), previous=again.placements)
    p = third.placements[newcomer.id]
    assert (p.sitting_id, p.lab_id, p.seat_id) in freed
    assert p.sitting_id == min(s for s, _, _ in freed)
    assert all(third.placements[c.id] == again.placements[c.id] for c in kept)


def test_a_seat_gone_out_of_service_moves_only_its_candidate(labs):
    candidates = make_candidates(700)
    first = allocate(candidates, labs, make_sittings(3))
    victim = candidates[0].id
    dead = first.placements[victim]
    labs2 = [
        Lab(
            lab.id,
            lab.rows,
            lab.cols,
            [SeatSpec(s.id, s.row, s.col, s.in_service and s.id != dead.seat_id) for s in lab.seats],
            lab.name,
        )
        for lab in labs
    ]
    again = allocate(candidates, labs2, make_sittings(3), previous=first.placements)
    assert again.moved == [victim]
    assert again.placements[victim].seat_id != dead.seat_id
    assert all(again.placements[c.id] == first.placements[c.id] for c in candidates[1:])
    assert again.warnings[-1] == f"有 1 名考生的原座位已失效，已重新安排：{victim}"


def test_check_move_refuses_occupied_and_out_of_service_seats(labs, big):
    _, allocation = big
    cid, other = sorted(allocation.placements)[:2]
    here, there = allocation.placements[cid], allocation.placements[other]
    occupied = check_move(allocation, cid, (there.sitting_id, there.lab_id, there.seat_id), labs)
    lab = next(lab for lab in labs if lab.id == there.lab_id)
    label = next(f"{chr(64 + s.row)}{s.col:02d}" for s in lab.seats if s.id == there.seat_id)
    assert occupied[0] == f"{lab.name} 座位 {label} 已被考生 {other} 占用"
    with pytest.raises(MoveRefused) as refused:
        apply_move(allocation, cid, (there.sitting_id, there.lab_id, there.seat_id), labs)
    assert "已被考生" in refused.value.reasons[0]

    broken = labs[0].seats[12]  # lab 1, row 2, col 3
    assert not broken.in_service
    assert check_move(allocation, cid, (here.sitting_id, 1, broken.id), labs) == ["东楼301 座位 B03 已停用"]
    assert check_move(allocation, cid, (here.sitting_id, 1, 99_999), labs) == ["东楼301 没有编号为 99999 的座位"]
    assert check_move(allocation, cid, (here.sitting_id, 77, 1), labs) == ["没有编号为 77 的机房"]
    assert "没有编号为 999 的场次" in check_move(allocation, cid, (999, 1, 1), labs)
    assert check_move(allocation, 123_456, (here.sitting_id, 1, 1), labs)[0] == "考生 123456 不在本次编排中"


def test_moving_to_a_spare_seat_is_allowed_but_warned(labs, big):
    _, allocation = big
    cid = sorted(allocation.placements)[0]
    p = allocation.placements[cid]
    spare = spare_seat_ids(labs[0])[0]
    target = (p.sitting_id, 1, spare)
    refusals, soft = move_problems(allocation, cid, target, labs)
    assert refusals == []
    assert soft[0] == "提示：东楼301 座位 E01 是预留的备用座位：可以使用，但本场备用座位会减少"
    moved = apply_move(allocation, cid, target, labs)
    assert moved.placements[cid] == Placement(p.sitting_id, 1, spare, form_for(5, 1, ("A", "B")))
    assert allocation.placements[cid] == p  # the original is untouched
    assert violations(moved, labs).spare_seats_used == 1
    assert any("备用座位 E01 安排了考生" in w for w in moved.warnings)


def test_check_move_warns_about_a_classmate_next_door():
    lab = lab_with((2, 3))
    candidates = [Candidate(1, "c:24电商1班", 1), Candidate(2, "c:24电商1班", 1), Candidate(3, "c:other", 1)]
    allocation = allocate(candidates, [lab], [Sitting(1, 1)], Settings(spare_per_lab=0))
    assert violations(allocation, [lab]).adjacent_classmates == 0
    mate = allocation.placements[2]
    seat = {s.id: s for s in lab.seats}[mate.seat_id]
    free = [s for s in lab.seats if s.id not in {p.seat_id for p in allocation.placements.values()}]
    beside = next(s for s in free if abs(s.row - seat.row) + abs(s.col - seat.col) == 1)
    messages = check_move(allocation, 1, (1, 1, beside.id), [lab])
    assert len(messages) == 1
    assert messages[0].startswith("提示：") and "同班同学（24电商1班）" in messages[0]
    moved = apply_move(allocation, 1, (1, 1, beside.id), [lab])
    assert violations(moved, [lab]).adjacent_classmates == 1
    assert any("为同班同学（24电商1班）" in w for w in moved.warnings)


def test_an_unplaced_candidate_can_be_placed_by_hand():
    lab = lab_with((2, 3))
    candidates = [Candidate(i, f"c:{i}", 1) for i in range(1, 6)]
    allocation = allocate(candidates, [lab], [Sitting(1, 1)])  # 4 seats, 1 unplaced
    (left_out,) = allocation.unplaced
    assert allocation.warnings == ["容量不足：还有 1 名考生无法安排，需要再增加 1 场"]
    spare = spare_seat_ids(lab)[0]
    placed = apply_move(allocation, left_out, (1, 1, spare), [lab])
    assert placed.unplaced == []
    assert not any(w.startswith("容量不足") for w in placed.warnings)


def test_same_input_same_output(labs):
    candidates = make_candidates(1500, seed=7)
    first = allocate(candidates, labs, make_sittings(4))
    second = allocate(list(reversed(candidates)), list(labs), list(reversed(make_sittings(4))))
    assert first == second
    assert list(first.placements) == sorted(first.placements)


def test_invalid_input_is_refused(labs):
    with pytest.raises(ValueError, match="重复"):
        allocate([Candidate(1, "a", 1), Candidate(1, "b", 1)], labs, make_sittings(1))
    with pytest.raises(ValueError, match="座位图"):
        allocate([], [Lab(1, 2, 2, [SeatSpec(1, 3, 1)])], make_sittings(1))
    with pytest.raises(ValueError, match="试卷"):
        allocate([], labs, make_sittings(1), Settings(forms=()))


def test_ten_thousand_candidates_in_well_under_five_seconds(labs):
    candidates = make_candidates(10_000)
    start = time.perf_counter()
    allocation = allocate(candidates, labs, make_sittings(20))
    elapsed = time.perf_counter() - start
    assert elapsed < 5
    assert len(allocation.placements) == 10_000
    assert {p.sitting_id for p in allocation.placements.values()} == {100 + o for o in range(1, 19)}  # ceil(10000/584)
    assert violations(allocation, labs) == violations(allocation, labs).__class__(0, 0, 0, 0, 0)
    assert classmate_pairs(allocation, labs, candidates) == 0


def test_sittings_use_only_their_own_labs():
    labs = [_lab_for_sittings(1), _lab_for_sittings(2)]
    people = [Candidate(i, f"c{i % 7}", 1) for i in range(1, 41)]
    sittings = [Sitting(10, 1, frozenset({1})), Sitting(20, 2, frozenset({2}))]
    allocation = allocate(people, labs, sittings, Settings(spare_per_lab=2))
    assert {(p.sitting_id, p.lab_id) for p in allocation.placements.values()} == {(10, 1), (20, 2)}
    assert len(allocation.placements) == 40 and not allocation.unplaced
    placed = next(iter(allocation.placements))
    refused = check_move(allocation, placed, (10, 2, labs[1].seats[0].id), labs, sittings)
    assert "该场次没有安排这个机房" in refused


def _lab_for_sittings(lab_id: int) -> Lab:
    seats = [SeatSpec(lab_id * 1000 + r * 10 + c, r, c) for r in range(1, 6) for c in range(1, 6)]
    return Lab(lab_id, 5, 5, seats, name=f"机房{lab_id}")
