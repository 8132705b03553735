"""Checking an allocation: soft-constraint warnings, violation counts, manual moves."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from examsys.modules.scheduling.allocation.model import (
    SOFT,
    Allocation,
    Lab,
    MoveRefused,
    Placement,
    Sitting,
    Violations,
)
from examsys.modules.scheduling.allocation.seats import _LabPlan, _plans, _short_class

# --------------------------------------------------------------------------- checking


def _scan(allocation: Allocation, plan_by_id: Mapping[int, _LabPlan]) -> tuple[list[tuple], list[str]]:
    """All problems, as (sort key, message) pairs, plus the counts in a Violations-compatible form."""
    orders = allocation.sitting_orders
    class_of = allocation.class_keys
    by_room: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    found: list[tuple] = []
    counts = Counter()
    for cid, p in allocation.placements.items():
        plan = plan_by_id.get(p.lab_id)
        order = orders.get(p.sitting_id, p.sitting_id)
        if plan is None or p.seat_id not in plan.seat:
            counts["out_of_service_used"] += 1
            found.append(
                (
                    (order, -1, 0, 0),
                    f"第 {order} 场 考生 {allocation.who(cid)} 的座位 {p.seat_id}（机房 {p.lab_id}）不存在",
                )
            )
            continue
        room = by_room[(p.sitting_id, p.lab_id)]
        key = (order, plan.index, plan.position.get(p.seat_id, -1), 0)
        label = plan.label[p.seat_id]
        if p.seat_id in room:
            counts["double_booked"] += 1
            found.append(
                (
                    key,
                    f"第 {order} 场 {plan.title} 座位 {label} 同时安排了考生 {allocation.who(room[p.seat_id])} 和 {allocation.who(cid)}",
                )
            )
            continue
        room[p.seat_id] = cid
        if not plan.seat[p.seat_id].in_service:
            counts["out_of_service_used"] += 1
            found.append((key, f"第 {order} 场 {plan.title} 座位 {label} 已停用，却安排了考生 {allocation.who(cid)}"))
        elif p.seat_id in plan.spares:
            counts["spare_seats_used"] += 1
            found.append(
                (key, f"第 {order} 场 {plan.title} 备用座位 {label} 安排了考生 {allocation.who(cid)}，本场备用座位减少")
            )
    for (sitting_id, lab_id), room in by_room.items():
        plan = plan_by_id[lab_id]
        order = orders.get(sitting_id, sitting_id)
        for seat_id, cid in room.items():
            for nb, kind in plan.forward[seat_id]:
                other = room.get(nb)
                if other is None:
                    continue
                key = (order, plan.index, plan.position.get(seat_id, -1), plan.position.get(nb, -1))
                a, b = plan.label[seat_id], plan.label[nb]
                cls = class_of.get(cid)
                if cls is not None and cls == class_of.get(other):
                    counts["adjacent_classmates"] += 1
                    found.append(
                        (key, f"第 {order} 场 {plan.title} 座位 {a} 与 {b} 为同班同学（{_short_class(cls)}）{kind}相邻")
                    )
                form = allocation.placements[cid].form
                if form == allocation.placements[other].form:
                    counts["same_form_neighbours"] += 1
                    found.append(
                        (key, f"第 {order} 场 {plan.title} 座位 {a} 与 {b} {kind}相邻却是同一试卷（{form} 卷）")
                    )
    found.sort(key=lambda t: t[0])
    return found, counts


def _warnings(allocation: Allocation, plan_by_id: Mapping[int, _LabPlan]) -> list[str]:
    found, _ = _scan(allocation, plan_by_id)
    warnings = [message for _, message in found]
    if allocation.moved:
        ids = "、".join(str(i) for i in allocation.moved)
        warnings.append(f"有 {len(allocation.moved)} 名考生的原座位已失效，已重新安排：{ids}")
    if allocation.unplaced:
        n = len(allocation.unplaced)
        per_sitting = sum(plan.capacity for plan in plan_by_id.values())
        if per_sitting:
            warnings.append(f"容量不足：还有 {n} 名考生无法安排，需要再增加 {math.ceil(n / per_sitting)} 场")
        else:
            warnings.append(f"容量不足：还有 {n} 名考生无法安排，机房没有可用座位")
    return warnings


def violations(allocation: Allocation, labs: Sequence[Lab]) -> Violations:
    """Counts of every rule not met in ``allocation`` (all zero for a clean one)."""
    _, counts = _scan(allocation, _plans(labs, allocation.settings))
    return Violations(**{name: counts[name] for name in Violations.__slots__})


def move_problems(
    allocation: Allocation,
    candidate_id: int,
    target: tuple[int, int, int],
    labs: Sequence[Lab],
    sittings: Iterable[Sitting] | None = None,
) -> tuple[list[str], list[str]]:
    """(refusals, soft warnings) for moving ``candidate_id`` to ``target`` = (sitting_id, lab_id, seat_id)."""
    sitting_id, lab_id, seat_id = target
    refusals: list[str] = []
    soft: list[str] = []
    if candidate_id not in allocation.placements and candidate_id not in allocation.unplaced:
        refusals.append(f"考生 {allocation.who(candidate_id)} 不在本次编排中")
    sittings = list(sittings) if sittings is not None else None
    known_sittings = {s.id for s in sittings} if sittings is not None else set(allocation.sitting_orders)
    if known_sittings and sitting_id not in known_sittings:
        refusals.append(f"没有编号为 {sitting_id} 的场次")
    booked = next((s.lab_ids for s in sittings or () if s.id == sitting_id), None)
    if booked is not None and lab_id not in booked:
        refusals.append("该场次没有安排这个机房")
    plan = _plans(labs, allocation.settings).get(lab_id)
    if plan is None:
        refusals.append(f"没有编号为 {lab_id} 的机房")
        return refusals, soft
    seat = plan.seat.get(seat_id)
    if seat is None:
        refusals.append(f"{plan.title} 没有编号为 {seat_id} 的座位")
        return refusals, soft
    label = plan.label[seat_id]
    if not seat.in_service:
        refusals.append(f"{plan.title} 座位 {label} 已停用")
    room = {
        p.seat_id: cid
        for cid, p in allocation.placements.items()
        if p.sitting_id == sitting_id and p.lab_id == lab_id and cid != candidate_id
    }
    if seat_id in room:
        refusals.append(f"{plan.title} 座位 {label} 已被考生 {allocation.who(room[seat_id])} 占用")
    current = allocation.placements.get(candidate_id)
    if current is not None and (current.sitting_id, current.lab_id, current.seat_id) == target:
        refusals.append(f"考生 {allocation.who(candidate_id)} 已经在 {plan.title} 座位 {label}")
    if seat_id in plan.spares:
        soft.append(f"{SOFT}{plan.title} 座位 {label} 是预留的备用座位：可以使用，但本场备用座位会减少")
    cls = allocation.class_keys.get(candidate_id)
    if cls is not None:
        for nb in plan.neighbours[seat_id]:
            other = room.get(nb)
            if other is not None and allocation.class_keys.get(other) == cls:
                kind = "左右" if plan.seat[nb].row == seat.row else "前后"
                soft.append(
                    f"{SOFT}座位 {label} 与 {plan.label[nb]} 的考生 {allocation.who(other)} 为同班同学（{_short_class(cls)}），"
                    f"移入后将{kind}相邻"
                )
    return refusals, soft


def check_move(
    allocation: Allocation,
    candidate_id: int,
    target: tuple[int, int, int],
    labs: Sequence[Lab],
    sittings: Iterable[Sitting] | None = None,
) -> list[str]:
    """Why the move is refused, then soft warnings (prefixed ``提示：``); empty when it is clean."""
    refusals, soft = move_problems(allocation, candidate_id, target, labs, sittings)
    return refusals + soft


def apply_move(
    allocation: Allocation,
    candidate_id: int,
    target: tuple[int, int, int],
    labs: Sequence[Lab],
    sittings: Iterable[Sitting] | None = None,
) -> Allocation:
    """A new Allocation with the candidate on ``target``; raises MoveRefused on a hard problem."""
    refusals, _ = move_problems(allocation, candidate_id, target, labs, sittings)
    if refusals:
        raise MoveRefused(refusals)
    plan_by_id = _plans(labs, allocation.settings)
    sitting_id, lab_id, seat_id = target
    placements = dict(allocation.placements)
    placements[candidate_id] = Placement(sitting_id, lab_id, seat_id, plan_by_id[lab_id].seat_form[seat_id])
    moved = Allocation(
        dict(sorted(placements.items())),
        [c for c in allocation.unplaced if c != candidate_id],
        [],
        list(allocation.moved),
        dict(allocation.class_keys),
        dict(allocation.sitting_orders),
        allocation.settings,
        dict(allocation.names),
    )
    moved.warnings = _warnings(moved, plan_by_id)
    return moved


def recheck(allocation: Allocation, labs: Sequence[Lab]) -> list[str]:
    """The soft-constraint warnings of an allocation built or changed outside ``allocate``."""
    return _warnings(allocation, _plans(labs, allocation.settings))
