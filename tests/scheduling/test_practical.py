"""Practical-test allocation (scheduling.practical): a pure algorithm, so no app or database here."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime, timedelta

import pytest

from examsys.modules.scheduling.allocation.model import MoveRefused
from examsys.modules.scheduling.practical import (
    OccupationSpec,
    PracticalAllocation,
    PracticalCandidate,
    PracticalInputs,
    Slot,
    Station,
    StationPlacement,
    Venue,
    allocate_practical,
    apply_move,
    check_move,
)

DAY = datetime(2026, 6, 20, 8, 0)
REPAIR, ASSEMBLY, LATHE = 7, 8, 9  # 汽车维修工, 汽车装调工, 车工
OCCUPATIONS = (
    OccupationSpec(REPAIR, "汽车维修工", "举升机"),
    OccupationSpec(ASSEMBLY, "汽车装调工", "举升机"),
    OccupationSpec(LATHE, "车工"),
)


def slots(n: int, venue_ids=(1,), hours: int = 2, first_id: int = 100) -> list[Slot]:
    """``n`` back-to-back slots of ``hours`` hours from 08:00, listed latest first (order must not matter)."""
    out = [
        Slot(first_id + i, DAY + timedelta(hours=hours * i), DAY + timedelta(hours=hours * (i + 1)), tuple(venue_ids))
        for i in range(n)
    ]
    return out[::-1]


def venue(vid: int, occupations, n: int, station_type: str = "举升机", first_id: int | None = None, broken=()) -> Venue:
    base = first_id if first_id is not None else vid * 100
    stations = tuple(Station(base + i, f"{i:02d}", station_type, (base + i) not in broken) for i in range(1, n + 1))
    return Venue(vid, frozenset(occupations), stations, f"实训楼{vid}")


def people(n: int, occupation: int, first_id: int = 1, classes: int = 1, busy=()) -> list[PracticalCandidate]:
    return [
        PracticalCandidate(first_id + i, occupation, f"college:2024:24汽修{i % classes + 1}班", tuple(busy))
        for i in range(n)
    ]


def at(hour: float, hours: float = 2) -> tuple[datetime, datetime]:
    start = DAY + timedelta(hours=hour)
    return (start, start + timedelta(hours=hours))


def hard_rule_breaks(allocation: PracticalAllocation, inputs: PracticalInputs) -> list[str]:
    """An independent check of the hard rules (not the module's own)."""
    station = {s.id: (v, s) for v in inputs.venues for s in v.stations}
    slot = {s.id: s for s in inputs.slots}
    need = {o.id: o.station_type for o in inputs.occupations}
    cand = {c.id: c for c in inputs.candidates}
    problems = []
    used = Counter((p.slot_id, p.station_id) for p in allocation.placements.values())
    problems += [f"double {k}" for k, n in used.items() if n > 1]
    for cid, p in allocation.placements.items():
        v, s = station[p.station_id]
        c, sl = cand[cid], slot[p.slot_id]
        if p.venue_id != v.id or v.id not in sl.venue_ids or not s.in_service:
            problems.append(f"place {cid}")
        if c.occupation_id not in v.occupation_ids or (need.get(c.occupation_id) or s.station_type) != s.station_type:
            problems.append(f"occupation {cid}")
        if any(b0 < sl.end and sl.start < b1 for b0, b1 in c.busy):
            problems.append(f"busy {cid}")
    assert set(allocation.placements).isdisjoint(allocation.unplaced)
    assert set(allocation.placements) | set(allocation.unplaced) == set(cand)
    return problems


def run(candidates, venues, slot_list, previous=None, occupations=OCCUPATIONS):
    inputs = PracticalInputs(candidates, venues, slot_list, occupations, previous or {})
    allocation = allocate_practical(inputs)
    assert hard_rule_breaks(allocation, inputs) == []
    return inputs, allocation


def test_slots_filled_in_time_order_and_classmates_contiguous():
    candidates = people(10, REPAIR, classes=2)
    _, allocation = run(candidates, [venue(1, [REPAIR], 4)], slots(3))
    per_slot = Counter(p.slot_id for p in allocation.placements.values())
    assert per_slot == {100: 4, 101: 4, 102: 2}
    assert allocation.unplaced == {} and allocation.warnings == [] and allocation.shortages == []
    # class 1 (odd ids) fills the first slot and a bit of the second, then class 2
    first = sorted(cid for cid, p in allocation.placements.items() if p.slot_id == 100)
    assert first == [1, 3, 5, 7]
    assert allocation.placements[1] == StationPlacement(100, 1, 101)  # stations taken in label order
    assert allocation.placements[1] == (100, 1, 101)  # a plain tuple for the caller


def test_out_of_service_wrong_occupation_and_wrong_type_never_used():
    venues = [
        venue(1, [LATHE], 3, "车床"),  # serves another occupation
        venue(2, [REPAIR], 3, "钣金台"),  # right occupation, wrong station type
        venue(3, [REPAIR], 3, broken={302}),
    ]
    _, allocation = run(people(4, REPAIR), venues, slots(2, venue_ids=(1, 2, 3)))
    assert {p.station_id for p in allocation.placements.values()} == {301, 303}
    assert Counter(p.slot_id for p in allocation.placements.values()) == {100: 2, 101: 2}


def test_occupation_without_a_required_type_uses_any_station_of_its_venues():
    mixed = Venue(
        4, frozenset({LATHE}), (Station(1, "A", "车床"), Station(2, "B", "铣床"), Station(3, "C", "")), "机加工"
    )
    _, allocation = run(people(3, LATHE), [mixed], slots(1, venue_ids=(4,)))
    assert sorted(p.station_id for p in allocation.placements.values()) == [1, 2, 3]


def test_never_in_a_slot_overlapping_another_sitting_touching_is_fine():
    theory = at(0, 2)  # 08:00-10:00 = the first slot exactly
    candidates = [
        PracticalCandidate(1, REPAIR, "a", (theory,)),
        PracticalCandidate(2, REPAIR, "a", (at(1.5, 1),)),  # 09:30-10:30: overlaps slots 1 and 2
        PracticalCandidate(3, REPAIR, "a", (at(-2, 2),)),  # 06:00-08:00 ends as slot 1 starts
    ]
    _, allocation = run(candidates, [venue(1, [REPAIR], 5)], slots(3))
    assert {cid: p.slot_id for cid, p in allocation.placements.items()} == {1: 101, 2: 102, 3: 100}


def test_a_candidate_whose_last_usable_slot_it_is_goes_first():
    candidates = people(3, REPAIR)  # one station: the ids would go 1, 2, 3
    candidates[2] = PracticalCandidate(3, REPAIR, "z", (at(2, 4),))  # busy in slots 2 and 3
    _, allocation = run(candidates, [venue(1, [REPAIR], 1)], slots(3))
    assert {cid: p.slot_id for cid, p in allocation.placements.items()} == {3: 100, 1: 101, 2: 102}


def test_final_augmenting_pass_rearranges_to_place_everyone():
    """Slot by slot, c3 (only slot 2) loses slot 2 to c2; the last pass shifts c1 and c2."""
    candidates = [
        PracticalCandidate(1, REPAIR, "a", (at(2),)),  # slots 1, 3
        PracticalCandidate(2, REPAIR, "a", (at(4),)),  # slots 1, 2
        PracticalCandidate(3, REPAIR, "a", (at(0), at(4))),  # slot 2 only
    ]
    _, allocation = run(candidates, [venue(1, [REPAIR], 1)], slots(3))
    assert allocation.unplaced == {}
    assert {cid: p.slot_id for cid, p in allocation.placements.items()} == {1: 102, 2: 100, 3: 101}


def test_shared_stations_are_dealt_in_proportion_and_exclusive_ones_used_first():
    shared = venue(1, [REPAIR, ASSEMBLY], 4)
    own = venue(2, [REPAIR], 2)
    candidates = people(10, REPAIR) + people(4, ASSEMBLY, first_id=101)
    _, allocation = run(candidates, [shared, own], slots(3, venue_ids=(1, 2)))
    first = [cid for cid, p in allocation.placements.items() if p.slot_id == 100]
    by_occupation = Counter(REPAIR if cid < 100 else ASSEMBLY for cid in first)
    assert by_occupation == {REPAIR: 4, ASSEMBLY: 2}  # 2 on its own stations + 2 of the 4 shared
    assert all(allocation.placements[cid].venue_id == 2 for cid in (1, 2))  # exclusive stations first
    assert allocation.unplaced == {}


def test_capacity_shortage_reported_precisely():
    candidates = people(33, REPAIR)
    _, allocation = run(candidates, [venue(1, [REPAIR], 10, broken={110})], slots(2))
    (short,) = allocation.shortages
    assert (short.candidates, short.station_slots, short.stations, short.slots_needed) == (33, 18, 9, 2)
    assert (
        short.message == "汽车维修工（7）：考生 33 人，可用工位·场次 18 个，缺 15 个；按现有 9 个工位计，还需增加 2 场"
    )
    assert allocation.warnings[0] == "容量不足：" + short.message
    assert len(allocation.unplaced) == 15
    assert set(allocation.unplaced.values()) == {"汽车维修工（7）的可用工位在该考生可参加的 2 个场次中已全部排满"}
    assert allocation.warnings[-1].startswith("还有 15 名考生未能安排：")


def test_sharing_shortage_reported_for_the_group_and_split_fairly():
    candidates = people(8, REPAIR) + people(8, ASSEMBLY, first_id=101)
    _, allocation = run(candidates, [venue(1, [REPAIR, ASSEMBLY], 6)], slots(2))
    (short,) = allocation.shortages  # each alone fits (8 <= 12); together they do not
    assert short.occupation_ids == (REPAIR, ASSEMBLY)
    assert short.message == (
        "汽车维修工（7）、汽车装调工（8） 共用工位：考生共 16 人，可用工位·场次 12 个，缺 4 个；"
        "按现有 6 个工位计，还需增加 1 场"
    )
    assert Counter(REPAIR if cid < 100 else ASSEMBLY for cid in allocation.unplaced) == {REPAIR: 2, ASSEMBLY: 2}


def test_each_unplaced_candidate_gets_its_reason():
    venues = [venue(1, [REPAIR], 2, broken={101, 102}), venue(2, [ASSEMBLY], 2), venue(3, [LATHE], 1, "车床")]
    candidates = [
        PracticalCandidate(1, REPAIR),
        PracticalCandidate(2, ASSEMBLY),
        PracticalCandidate(3, LATHE, busy=(at(0, 8),)),
        PracticalCandidate(4, 99),
    ]
    occupations = (*OCCUPATIONS, OccupationSpec(99, "茶艺师"))
    _, allocation = run(candidates, venues, slots(2, venue_ids=(1, 3)), occupations=occupations)
    assert allocation.unplaced == {
        1: "承担汽车维修工（7）的场地没有在用的“举升机”工位",
        2: "没有场次开放承担汽车装调工（8）的场地",
        3: "车工（9）的 2 个场次都与该考生的其他考试时间冲突",
        4: "没有场地承担茶艺师（99）的实操考试",
    }
    messages = [s.message for s in allocation.shortages]
    assert messages[0] == "汽车维修工（7）：考生 1 人，承担汽车维修工（7）的场地没有在用的“举升机”工位"
    assert "汽车装调工（8）：考生 1 人，可用工位·场次 0 个，缺 1 个；按现有 2 个工位计，还需增加 1 场" in messages
    assert "茶艺师（99）：考生 1 人，没有场地承担茶艺师（99）的实操考试" in messages


def test_unknown_occupation_spec_means_any_station_and_a_plain_title():
    _, allocation = run([PracticalCandidate(1, 55)], [venue(1, [55], 1, "")], slots(1), occupations=())
    assert allocation.placements == {1: (100, 1, 101)}
    _, short = run(people(2, 55), [venue(1, [55], 1, "")], slots(1), occupations=())
    assert short.shortages[0].message.startswith("职业 55：考生 2 人")


def test_rerun_keeps_everyone_and_additions_move_nobody():
    venues, slot_list = [venue(1, [REPAIR, ASSEMBLY], 5), venue(2, [REPAIR], 3)], slots(4, venue_ids=(1, 2))
    candidates = people(12, REPAIR) + people(6, ASSEMBLY, first_id=101)
    _, first = run(candidates, venues, slot_list)
    _, again = run(candidates, venues, slot_list, previous=first.placements)
    assert again.placements == first.placements and again.moved == []
    more = candidates + people(5, ASSEMBLY, first_id=201) + people(3, REPAIR, first_id=301)
    _, grown = run(more, venues, slot_list, previous=first.placements)
    assert all(grown.placements[cid] == p for cid, p in first.placements.items())
    assert len(grown.placements) == len(more)
    # (slot, station) pairs are accepted too, and removed candidates free their stations
    pairs = {cid: (p.slot_id, p.station_id) for cid, p in first.placements.items() if cid != 1}
    _, shrunk = run(candidates[1:], venues, slot_list, previous=pairs)
    assert shrunk.placements == {cid: p for cid, p in first.placements.items() if cid != 1}


def test_invalid_previous_places_are_reallocated_and_reported():
    candidates = people(4, REPAIR)
    base = venue(1, [REPAIR], 3)
    _, first = run(candidates, [base], slots(2))
    assert first.placements[2] == (100, 1, 102) and first.placements[3] == (100, 1, 103)
    previous = dict(first.placements)
    previous[4] = previous[3]  # two candidates claim one station: the lower id keeps it
    _, again = run(candidates, [venue(1, [REPAIR], 3, broken={102})], slots(2), previous=previous)
    assert again.moved == [2, 4]  # 2's station went out of service
    assert again.placements[1] == first.placements[1] and again.placements[3] == first.placements[3]
    assert {again.placements[2], again.placements[4]} == {(101, 1, 101), (101, 1, 103)}
    assert again.warnings == ["有 2 名考生的原工位已失效，已重新安排：2、4"]
    # a new theory sitting over the kept slot also invalidates it
    busy = [PracticalCandidate(c.id, c.occupation_id, c.class_key, (at(0),) if c.id == 3 else ()) for c in candidates]
    _, third = run(busy, [base], slots(2), previous=again.placements)
    assert 3 in third.moved and third.placements[3].slot_id == 101


@pytest.fixture
def moved_setup():
    venues = [venue(1, [REPAIR], 4, broken={103}), venue(2, [LATHE], 2, "车床"), venue(3, [REPAIR], 1, "钣金台")]
    candidates = [*people(3, REPAIR), PracticalCandidate(9, REPAIR, "a", (at(2),))]
    inputs = PracticalInputs(candidates, venues, slots(2, venue_ids=(1, 2, 3)), OCCUPATIONS)
    return inputs, allocate_practical(inputs)


def test_check_move_gives_the_allocator_reasons(moved_setup):
    inputs, allocation = moved_setup
    # 9 can only come in slot 1, so goes first
    assert allocation.placements == {1: (100, 1, 102), 2: (100, 1, 104), 3: (101, 1, 101), 9: (100, 1, 101)}
    assert check_move(allocation, inputs, 2, 100, 101) == [
        "实训楼1（1）工位 01 在第 1 场（06-20 08:00–10:00）已被考生 9 占用"
    ]
    assert check_move(allocation, inputs, 1, 100, 102) == [
        "考生 1 已经在第 1 场（06-20 08:00–10:00） 实训楼1（1）工位 02"
    ]
    assert check_move(allocation, inputs, 2, 101, 103) == ["实训楼1（1）工位 03 已停用"]
    assert check_move(allocation, inputs, 2, 101, 201) == [
        "实训楼2（2）不承担汽车维修工（7）的实操考试",
        "实训楼2（2）工位 01 的类型是“车床”，汽车维修工（7）需要“举升机”",
    ]
    assert check_move(allocation, inputs, 2, 101, 301) == [
        "实训楼3（3）工位 01 的类型是“钣金台”，汽车维修工（7）需要“举升机”"
    ]
    assert check_move(allocation, inputs, 9, 101, 102) == [
        "考生 9 在第 2 场（06-20 10:00–12:00）另有考试（06-20 10:00–12:00）"
    ]
    assert check_move(allocation, inputs, 77, 101, 102) == ["考生 77 不在本次编排中"]
    assert check_move(allocation, inputs, 2, 555, 102) == ["没有编号为 555 的场次"]
    assert check_move(allocation, inputs, 2, 101, 555) == ["没有编号为 555 的工位"]
    closed = PracticalInputs(inputs.candidates, inputs.venues, slots(2, venue_ids=(2,)), OCCUPATIONS)
    assert "实训楼1（1）在第 1 场（06-20 08:00–10:00）不开放" in check_move(allocation, closed, 2, 100, 102)
    assert check_move(allocation, inputs, 2, 101, 102) == []  # 102 is taken in slot 1 only


def test_apply_move_or_refuse(moved_setup):
    inputs, allocation = moved_setup
    with pytest.raises(MoveRefused) as refused:
        apply_move(allocation, inputs, 2, 100, 101)
    assert refused.value.reasons == ["实训楼1（1）工位 01 在第 1 场（06-20 08:00–10:00）已被考生 9 占用"]
    moved = apply_move(allocation, inputs, 2, 101, 102)
    assert moved.placements[2] == (101, 1, 102) and allocation.placements[2] != moved.placements[2]
    assert hard_rule_breaks(moved, inputs) == []


def test_an_unplaced_candidate_can_be_placed_by_hand():
    inputs, allocation = run(people(3, REPAIR), [venue(1, [REPAIR], 1)], slots(2))
    assert list(allocation.unplaced) == [3]
    extra = PracticalInputs(inputs.candidates, inputs.venues, slots(3), OCCUPATIONS)
    placed = apply_move(allocation, extra, 3, 102, 101)
    assert placed.unplaced == {} and not any(w.startswith("还有") for w in placed.warnings)


def test_same_input_same_output_whatever_the_order():
    venues = [venue(1, [REPAIR, ASSEMBLY], 6), venue(2, [REPAIR], 4), venue(3, [LATHE], 5, "车床")]
    candidates = people(40, REPAIR, classes=3) + people(25, ASSEMBLY, 101, 2) + people(20, LATHE, 201, 2)
    _, a = run(candidates, venues, slots(6, venue_ids=(1, 2, 3)))
    shuffled = list(candidates)
    random.Random(3).shuffle(shuffled)
    _, b = run(shuffled, venues, list(reversed(slots(6, venue_ids=(1, 2, 3)))))
    assert a == b


def test_invalid_input_is_refused():
    v = venue(1, [REPAIR], 2)
    with pytest.raises(ValueError, match="考生 1 重复"):
        allocate_practical(PracticalInputs([PracticalCandidate(1, REPAIR)] * 2, [v], slots(1)))
    with pytest.raises(ValueError, match="工位编号 101 重复"):
        allocate_practical(PracticalInputs([], [v, venue(2, [REPAIR], 1, first_id=100)], slots(1)))
    with pytest.raises(ValueError, match="场地编号 1 重复"):
        allocate_practical(PracticalInputs([], [v, v], slots(1)))
    with pytest.raises(ValueError, match="场次编号重复"):
        allocate_practical(PracticalInputs([], [v], slots(1) + slots(1)))
    with pytest.raises(ValueError, match="结束时间"):
        allocate_practical(PracticalInputs([], [v], [Slot(1, DAY, DAY, (1,))]))
    with pytest.raises(ValueError, match="不存在的场地"):
        allocate_practical(PracticalInputs([], [v], slots(1, venue_ids=(1, 5))))


def max_matching(inputs: PracticalInputs) -> int:
    """Reference maximum matching (plain recursive Kuhn), independent of the module."""
    station = {s.id: (v, s) for v in inputs.venues for s in v.stations}
    need = {o.id: o.station_type for o in inputs.occupations}
    adj = {}
    for c in inputs.candidates:
        adj[c.id] = [
            (sl.id, sid)
            for sl in inputs.slots
            for sid, (v, s) in station.items()
            if v.id in sl.venue_ids
            and s.in_service
            and c.occupation_id in v.occupation_ids
            and (not need.get(c.occupation_id) or need[c.occupation_id] == s.station_type)
            and not any(b0 < sl.end and sl.start < b1 for b0, b1 in c.busy)
        ]
    owner: dict = {}

    def try_(cid, seen):
        for r in adj[cid]:
            if r not in seen:
                seen.add(r)
                if r not in owner or try_(owner[r], seen):
                    owner[r] = cid
                    return True
        return False

    return sum(try_(cid, set()) for cid in adj)


def test_random_instances_obey_the_rules_and_place_the_maximum():
    for seed in range(150):
        rng = random.Random(seed)
        venues = [
            venue(1, [REPAIR, ASSEMBLY], rng.randint(1, 4), broken={101} if seed % 3 == 0 else ()),
            venue(2, rng.choice([[REPAIR], [ASSEMBLY], [REPAIR, LATHE]]), rng.randint(1, 3)),
            venue(3, [LATHE], rng.randint(0, 3), rng.choice(["车床", "举升机"])),
        ]
        n_slots = rng.randint(1, 4)
        slot_list = [
            Slot(s.id, s.start, s.end, tuple(v for v in (1, 2, 3) if rng.random() < 0.8))
            for s in slots(n_slots, hours=2)
        ]
        candidates = []
        for cid in range(1, rng.randint(1, 25)):
            busy = tuple(at(2 * rng.randrange(n_slots) + rng.choice([0, 1])) for _ in range(rng.randint(0, 2)))
            candidates.append(PracticalCandidate(cid, rng.choice([REPAIR, ASSEMBLY, LATHE]), f"c{cid % 3}", busy))
        inputs, allocation = run(candidates, venues, slot_list)
        assert len(allocation.placements) == max_matching(inputs), seed
        previous = dict(allocation.placements)
        _, again = run(candidates, venues, slot_list, previous=previous)
        assert again.placements == allocation.placements


def test_a_thousand_candidates_quickly():
    venues = [venue(v, [REPAIR + v % 3, ASSEMBLY], 12, "") for v in range(1, 9)]
    occupations = (OccupationSpec(REPAIR), OccupationSpec(ASSEMBLY), OccupationSpec(LATHE))
    candidates = [
        PracticalCandidate(i, [REPAIR, ASSEMBLY, LATHE][i % 3], f"k{i // 40}", (at(2 * (i % 7)),) if i % 5 == 0 else ())
        for i in range(1000)
    ]
    start = time.perf_counter()
    _, allocation = run(candidates, venues, slots(12, venue_ids=range(1, 9)), occupations=occupations)
    assert time.perf_counter() - start < 3
    (short,) = allocation.shortages  # 汽车维修工 has 2 venues: 24 stations x 12 slots = 288 for 334
    assert (short.candidates, short.station_slots, short.slots_needed) == (334, 288, 2)
    assert len(allocation.unplaced) == 334 - 288
    assert {allocation.placements[c.id].slot_id for c in candidates if c.id in allocation.placements} == set(
        range(100, 112)
    )
