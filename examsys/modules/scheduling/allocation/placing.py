"""Placing candidates: fill sittings, spread classes over labs, seat them apart, repair."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from examsys.modules.scheduling.allocation.checking import _warnings
from examsys.modules.scheduling.allocation.model import Allocation, Candidate, Lab, Placement, Settings, Sitting
from examsys.modules.scheduling.allocation.seats import _LabPlan, _plans

# --------------------------------------------------------------------------- placing


def _spread(members: Sequence[Candidate], class_of: Mapping[int, str]) -> list[Candidate]:
    """Order so each class is spread evenly along the sequence (largest class first on ties)."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in members:
        groups[class_of[c.id]].append(c)
    ranked = sorted(groups, key=lambda k: (-len(groups[k]), k))
    keyed = []
    for rank, key in enumerate(ranked):
        group = sorted(groups[key], key=lambda c: c.id)
        size = len(group)
        keyed.extend(((j + 0.5) / size, rank, c) for j, c in enumerate(group))
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [c for _, _, c in keyed]


def _conflicts(plan: _LabPlan, occ: Mapping[int, int], seat_id: int, cls: str, class_of: Mapping[int, str]) -> int:
    n = 0
    for nb in plan.neighbours[seat_id]:
        other = occ.get(nb)
        if other is not None and class_of[other] == cls:
            n += 1
    return n


def _seat_lab(members: list[Candidate], plan: _LabPlan, occ: dict[int, int], class_of: Mapping[int, str]) -> None:
    """Seat ``members`` in an empty lab (``len(members) <= plan.capacity``); see step 3."""
    black, white = plan.black, plan.white
    n = len(members)
    if n <= len(black):
        for seat_id, c in zip(black, _spread(members, class_of), strict=False):
            occ[seat_id] = c.id
        return
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in members:
        groups[class_of[c.id]].append(c)
    room_b, room_w = len(black), n - len(black)
    on_black: list[Candidate] = []
    on_white: list[Candidate] = []
    split_black: list[Candidate] = []
    split_white: list[Candidate] = []
    for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
        group = sorted(groups[key], key=lambda c: c.id)
        if len(group) <= room_b:
            on_black.extend(group)
            room_b -= len(group)
        elif len(group) <= room_w:
            on_white.extend(group)
            room_w -= len(group)
        else:  # happens at most once: afterwards room_b == 0 and the rest fits on white
            split_black, split_white = group[:room_b], group[room_b:]
            room_w -= len(split_white)
            room_b = 0
    used_white = white[: n - len(black)]
    # The split class: the back of the black colour and the front of the white one.
    tail = len(black) - len(split_black)
    for seat_id, c in zip(black[tail:], split_black, strict=True):
        occ[seat_id] = c.id
    for seat_id, c in zip(black[:tail], _spread(on_black, class_of), strict=True):
        occ[seat_id] = c.id
    head = len(split_white)
    for seat_id, c in zip(used_white[:head], split_white, strict=True):
        occ[seat_id] = c.id
    for seat_id, c in zip(used_white[head:], _spread(on_white, class_of), strict=True):
        occ[seat_id] = c.id


def _improve(
    plan: _LabPlan, occ: dict[int, int], s: int, class_of: Mapping[int, str], movable: set[int] | None
) -> bool:
    """Move the candidate on ``s`` (swapping when the target is taken) if that lowers the conflicts."""
    c = occ[s]
    cls = class_of[c]
    here = _conflicts(plan, occ, s, cls, class_of)
    if not here:
        return False
    for t in plan.usable_free:  # non-spare in-service seats: repairs never touch spares
        d = occ.get(t)
        if t == s or (d is not None and (class_of[d] == cls or (movable is not None and d not in movable))):
            continue
        # c and d are of different classes, so the pair (c, d) never counts: comparing the
        # conflicts of both before and after is exactly the change in the lab's total.
        before = here + (_conflicts(plan, occ, t, class_of[d], class_of) if d is not None else 0)
        _swap(occ, s, t)
        after = _conflicts(plan, occ, t, cls, class_of)
        if d is not None:
            after += _conflicts(plan, occ, s, class_of[d], class_of)
        if after < before:
            return True
        _swap(occ, t, s)
    return False


def _swap(occ: dict[int, int], s: int, t: int) -> None:
    """Exchange the occupants of seats ``s`` (occupied) and ``t`` (occupied or free)."""
    c, d = occ.pop(s), occ.pop(t, None)
    occ[t] = c
    if d is not None:
        occ[s] = d


def _repair(
    plan: _LabPlan, occ: dict[int, int], class_of: Mapping[int, str], movable: set[int] | None, rounds: int = 20
) -> None:
    """Swap/move candidates next to a classmate while that lowers the number of conflicts (step 4)."""
    for _ in range(rounds):
        bad = [
            s
            for s in sorted(occ, key=plan.position.__getitem__)
            if (movable is None or occ[s] in movable) and _conflicts(plan, occ, s, class_of[occ[s]], class_of)
        ]
        improved = False
        for s in bad:
            if s in occ and (movable is None or occ[s] in movable):
                improved = _improve(plan, occ, s, class_of, movable) or improved
        if not improved:
            return


def _proportional(n: int, weights: list[int]) -> list[int]:
    """Split ``n <= sum(weights)`` in proportion to ``weights`` (largest remainder), never above a weight."""
    total = sum(weights)
    if not total:
        return [0] * len(weights)
    shares = [n * w / total for w in weights]
    quotas = [min(math.floor(x), w) for x, w in zip(shares, weights, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - quotas[i]), i))
    left = n - sum(quotas)
    while left:
        for i in order:
            if left and quotas[i] < weights[i]:
                quotas[i] += 1
                left -= 1
    return quotas


def _quotas(n: int, plans: list[_LabPlan]) -> list[int]:
    """How many of a sitting's ``n`` candidates each lab takes.

    A full sitting fills every lab. A partly filled one opens the fewest labs (in the order given)
    whose larger checkerboard colour can hold everyone, so nobody sits next to anybody; when even
    all labs together cannot do that, every lab is used in proportion to its capacity.
    """
    black = [len(plan.black) for plan in plans]
    if n > sum(black):
        return _proportional(n, [plan.capacity for plan in plans])
    used, room = 0, 0
    while room < n:
        room += black[used]
        used += 1
    return _proportional(n, black[:used]) + [0] * (len(plans) - used)


def _fill_sitting(
    chunk: list[Candidate], plans: list[_LabPlan], occ: dict[int, dict[int, int]], class_of: Mapping[int, str]
) -> None:
    """Steps 2-4 for a sitting with nobody in it yet."""
    quotas = _quotas(len(chunk), plans)
    slots = sorted(((i + 0.5) / q, li) for li, q in enumerate(quotas) for i in range(q))
    counts = Counter(class_of[c.id] for c in chunk)
    ordered = sorted(chunk, key=lambda c: (-counts[class_of[c.id]], class_of[c.id], c.id))
    per_lab: list[list[Candidate]] = [[] for _ in plans]
    for c, (_, li) in zip(ordered, slots, strict=True):
        per_lab[li].append(c)
    for plan, members in zip(plans, per_lab, strict=True):
        if members:
            lab_occ = occ[plan.lab.id]
            _seat_lab(members, plan, lab_occ, class_of)
            _repair(plan, lab_occ, class_of, None)


def _room_left(plan: _LabPlan, lab_occ: Mapping[int, int]) -> int:
    """Seats still allowed in a lab: in service - spares - occupied (someone kept on a spare counts too)."""
    return max(0, plan.capacity - len(lab_occ))


def _best_seat(
    cls: str,
    plans: list[_LabPlan],
    occ: Mapping[int, dict[int, int]],
    free: Mapping[int, list[int]],
    left: Mapping[int, int],
    class_of: Mapping[int, str],
) -> tuple[_LabPlan, int]:
    """The free seat with the fewest classmates, then the fewest candidates, next to it."""
    best: tuple[tuple[int, int, int, int], _LabPlan, int] | None = None
    for plan in plans:
        if not left[plan.lab.id]:
            continue
        lab_occ = occ[plan.lab.id]
        for pos, s in enumerate(free[plan.lab.id]):
            mates = busy = 0
            for nb in plan.neighbours[s]:
                other = lab_occ.get(nb)
                if other is not None:
                    busy += 1
                    mates += class_of[other] == cls
            key = (mates, busy, plan.index, pos)
            if best is None or key < best[0]:
                best = (key, plan, pos)
                if not mates and not busy:  # nothing can beat an isolated seat in an earlier lab
                    return plan, pos
    if best is None:  # pragma: no cover - the caller never passes more candidates than free room
        raise AssertionError("no free seat left")
    return best[1], best[2]


def _top_up_sitting(
    chunk: list[Candidate], plans: list[_LabPlan], occ: dict[int, dict[int, int]], class_of: Mapping[int, str]
) -> None:
    """Place ``chunk`` into free seats of a sitting that already has kept candidates."""
    left = {plan.lab.id: _room_left(plan, occ[plan.lab.id]) for plan in plans}
    free = {plan.lab.id: [s for s in plan.usable_free if s not in occ[plan.lab.id]] for plan in plans}
    placed: dict[int, set[int]] = defaultdict(set)
    for c in _spread(chunk, class_of):
        plan, pos = _best_seat(class_of[c.id], plans, occ, free, left, class_of)
        lab_id = plan.lab.id
        occ[lab_id][free[lab_id].pop(pos)] = c.id
        left[lab_id] -= 1
        placed[lab_id].add(c.id)
    for plan in plans:
        if placed[plan.lab.id]:
            _repair(plan, occ[plan.lab.id], class_of, placed[plan.lab.id])


def _keep_previous(
    candidates: list[Candidate],
    previous: Mapping[int, Placement],
    plan_by_id: Mapping[int, _LabPlan],
    occupancy: dict[int, dict[int, dict[int, int]]],
) -> tuple[list[Candidate], list[int]]:
    """Put back everyone whose earlier seat is still valid; return (still to place, moved ids)."""
    to_place: list[Candidate] = []
    moved: list[int] = []
    for c in sorted(candidates, key=lambda c: c.id):
        p = previous.get(c.id)
        if p is None:
            to_place.append(c)
            continue
        plan = plan_by_id.get(p.lab_id)
        seat = plan.seat.get(p.seat_id) if plan else None
        lab_occ = occupancy.get(p.sitting_id, {}).get(p.lab_id)
        if seat is None or not seat.in_service or lab_occ is None or p.seat_id in lab_occ:
            moved.append(c.id)
            to_place.append(c)
        else:
            lab_occ[p.seat_id] = c.id
    return to_place, moved


def _check_inputs(candidates: list[Candidate], sittings: list[Sitting], settings: Settings) -> dict[int, str]:
    if not settings.forms:
        raise ValueError("至少需要一种试卷（forms）")
    if settings.spare_per_lab < 0:
        raise ValueError("备用座位数不能为负")
    if len({s.id for s in sittings}) != len(sittings):
        raise ValueError("场次编号重复")
    class_of: dict[int, str] = {}
    for c in candidates:
        if c.id in class_of:
            raise ValueError(f"考生 {c.id} 重复")
        class_of[c.id] = c.class_key
    return class_of


def allocate(
    candidates: Iterable[Candidate],
    labs: Sequence[Lab],
    sittings: Iterable[Sitting],
    settings: Settings | None = None,
    previous: Mapping[int, Placement] | None = None,
) -> Allocation:
    """Seat every candidate in the fewest sittings; see the module docstring for the rules."""
    settings = settings or Settings()
    candidates = list(candidates)
    ordered_sittings = sorted(sittings, key=lambda s: (s.order, s.id))
    class_of = _check_inputs(candidates, ordered_sittings, settings)
    plan_by_id = _plans(labs, settings)
    plans = list(plan_by_id.values())
    plans_of = {s.id: [p for p in plans if s.lab_ids is None or p.lab.id in s.lab_ids] for s in ordered_sittings}
    # occupancy[sitting_id][lab_id] = {seat_id: candidate_id}
    occupancy = {s.id: {plan.lab.id: {} for plan in plans_of[s.id]} for s in ordered_sittings}
    to_place, moved = _keep_previous(candidates, previous, plan_by_id, occupancy) if previous else (candidates, [])

    queue = sorted(to_place, key=lambda c: (c.batch_id, c.class_key, c.id))
    pos = 0
    for sitting in ordered_sittings:
        if pos >= len(queue):
            break
        occ, sitting_plans = occupancy[sitting.id], plans_of[sitting.id]
        if not sitting_plans:
            continue
        if any(occ.values()):
            room = sum(_room_left(plan, occ[plan.lab.id]) for plan in sitting_plans)
            chunk = queue[pos : pos + room]
            _top_up_sitting(chunk, sitting_plans, occ, class_of)
        else:
            room = sum(plan.capacity for plan in sitting_plans)
            chunk = queue[pos : pos + room]
            _fill_sitting(chunk, sitting_plans, occ, class_of)
        pos += len(chunk)

    placements: dict[int, Placement] = {}
    for sitting_id, labs_occ in occupancy.items():
        for lab_id, lab_occ in labs_occ.items():
            forms = plan_by_id[lab_id].seat_form
            for seat_id, cid in lab_occ.items():
                placements[cid] = Placement(sitting_id, lab_id, seat_id, forms[seat_id])
    placements = dict(sorted(placements.items()))
    unplaced = [c.id for c in queue[pos:]]
    sitting_orders = {s.id: s.order for s in ordered_sittings}
    names = {c.id: c.name for c in candidates if c.name}
    allocation = Allocation(placements, unplaced, [], moved, class_of, sitting_orders, settings, names)
    allocation.warnings = _warnings(allocation, plan_by_id)
    return allocation
