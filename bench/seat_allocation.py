"""Benchmark: seat allocation for 10,000 candidates over 14 labs (target: under 5 s), and seed 002's 1,396.

    .venv/bin/python bench/seat_allocation.py [--candidates 10000] [--sittings 20] [--repeat 5]

The labs are seed 002's 14 theory labs: 6 x (5x10), 4 x (5x9), 2 x (4x9), 2 x (4x8) = 616 seats,
4 of them out of service (612 in service, 584 usable with 2 spares a lab). Candidates come in
classes of 30-45 from 10 batches (the 1,396 case: one batch, as seed 002's first November batch).
The algorithm is pure Python with no database, so the result is written by this script to
bench/results/seat_allocation.json (same JSON style as the database benchmarks).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from examsys.modules.scheduling.allocation import (  # noqa: E402
    Allocation,
    Candidate,
    Lab,
    Placement,
    SeatSpec,
    Sitting,
    allocate,
    violations,
)

SHAPES = [(5, 10)] * 6 + [(5, 9)] * 4 + [(4, 9)] * 2 + [(4, 8)] * 2
NAMES = ["东楼301", "东楼302", "东楼303", "东楼304", "北楼513", "东楼403", "东楼404"] + [
    f"西楼{n}" for n in range(201, 208)
]
OUT_OF_SERVICE = {(1, 2, 3), (3, 5, 10), (8, 1, 4), (12, 4, 1)}  # (lab, row, col)
MAJORS = ["电商", "汽修", "数控", "物流", "会计", "软件", "网络", "保育", "服装", "轨道"]


def make_labs() -> list[Lab]:
    labs, seat_id = [], 1
    for lab_id, (rows, cols) in enumerate(SHAPES, 1):
        seats = []
        for row in range(1, rows + 1):
            for col in range(1, cols + 1):
                seats.append(SeatSpec(seat_id, row, col, (lab_id, row, col) not in OUT_OF_SERVICE))
                seat_id += 1
        labs.append(Lab(lab_id, rows, cols, seats, NAMES[lab_id - 1]))
    return labs


def make_candidates(n: int, batches: int, seed: int = 2026) -> list[Candidate]:
    rng = random.Random(seed)
    out: list[Candidate] = []
    k = 0
    while len(out) < n:
        k += 1
        size = min(rng.randint(30, 45), n - len(out))
        key = f"college:2024:24{MAJORS[k % len(MAJORS)]}{k}班"
        base = len(out) + 1
        out.extend(Candidate(base + i, key, k % batches + 1) for i in range(size))
    rng.shuffle(out)
    return out


def naive_violations(candidates: list[Candidate], labs: list[Lab], allocation: Allocation) -> int:
    """Baseline: the same candidates seated class by class in reading order, lab after lab."""
    seats = [(lab, s) for lab in labs for s in sorted(lab.seats, key=lambda s: (s.row, s.col)) if s.in_service]
    queue = sorted(candidates, key=lambda c: (c.batch_id, c.class_key, c.id))
    placements = {
        c.id: Placement(i // len(seats), seats[i % len(seats)][0].id, seats[i % len(seats)][1].id, "A")
        for i, c in enumerate(queue)
    }
    naive = Allocation(placements, [], [], class_keys=allocation.class_keys)
    return violations(naive, labs).adjacent_classmates


def run_case(n: int, batches: int, n_sittings: int, repeat: int) -> dict:
    labs = make_labs()
    candidates = make_candidates(n, batches)
    sittings = [Sitting(100 + order, order) for order in range(1, n_sittings + 1)]
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        allocation = allocate(candidates, labs, sittings)
        timings.append(time.perf_counter() - start)
    v = violations(allocation, labs)
    same = allocate(candidates, labs, sittings) == allocation

    late = [Candidate(900_000 + i, "college:2024:24电商迟报班", 1) for i in range(5)]
    start = time.perf_counter()
    added = allocate(candidates + late, labs, sittings, previous=allocation.placements)
    add_seconds = time.perf_counter() - start
    gone = {c.id for c in candidates[:40]}
    kept = [c for c in candidates if c.id not in gone]
    start = time.perf_counter()
    removed = allocate(kept, labs, sittings, previous=allocation.placements)
    remove_seconds = time.perf_counter() - start

    def moved(after: Allocation, who: list[Candidate]) -> int:
        return sum(after.placements.get(c.id) != allocation.placements[c.id] for c in who)

    return {
        "candidates": n,
        "classes": len({c.class_key for c in candidates}),
        "batches": batches,
        "labs": len(labs),
        "seats_in_service": sum(s.in_service for lab in labs for s in lab.seats),
        "usable_per_sitting": sum(sum(s.in_service for s in lab.seats) - 2 for lab in labs),
        "sittings_used": len({p.sitting_id for p in allocation.placements.values()}),
        "placed": len(allocation.placements),
        "unplaced": len(allocation.unplaced),
        "allocate_seconds_first": round(timings[0], 3),
        "allocate_seconds_median": round(statistics.median(timings), 3),
        "target_seconds": 5,
        "adjacent_classmate_pairs": v.adjacent_classmates,
        "adjacent_classmate_pairs_fill_in_order_baseline": naive_violations(candidates, labs, allocation),
        "same_form_neighbour_pairs": v.same_form_neighbours,
        "spare_seats_used": v.spare_seats_used,
        "out_of_service_seats_used": v.out_of_service_used,
        "warnings": len(allocation.warnings),
        "deterministic": same,
        "add_5_late": {
            "seconds": round(add_seconds, 3),
            "moved": moved(added, candidates),
            "adjacent_classmate_pairs": violations(added, labs).adjacent_classmates,
        },
        "remove_40": {
            "seconds": round(remove_seconds, 3),
            "moved": moved(removed, kept),
            "adjacent_classmate_pairs": violations(removed, labs).adjacent_classmates,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--sittings", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    report = {
        "machine": f"{platform.machine()} {platform.python_version()}",
        f"{args.candidates} candidates": run_case(args.candidates, 10, args.sittings, args.repeat),
        "1396 candidates (seed 002 first batch)": run_case(1396, 1, 5, args.repeat),
    }
    out = ROOT / "bench" / "results" / "seat_allocation.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
